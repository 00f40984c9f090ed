using System.Text.RegularExpressions;

namespace Smcp.Proxy.Guard;

/// <summary>
/// The rules on prose a model reads: instructions hidden from the user, overrides of earlier instructions, shadowing of
/// other tools, requests to read secrets or send data away, and oversize text. Every pattern is bounded (no unbounded
/// repetition next to another), so a hostile description costs time linear in its length.
/// </summary>
internal static partial class TextRules
{
    public const string InstructionTag = "instruction-tag";
    public const string Override = "instruction-override";
    public const string Conceal = "conceal-from-user";
    public const string Imperative = "assistant-imperative";
    public const string Shadowing = "tool-shadowing";
    public const string SecretPath = "secret-path";
    public const string CredentialRequest = "credential-request";
    public const string Exfiltration = "exfiltration";
    public const string EncodeData = "encode-data";
    public const string Url = "url";
    public const string Oversize = "oversize";

    /// <summary>Text longer than this (UTF-16 chars) is flagged low; honest descriptions of real servers stay under 3,000.</summary>
    public const int LongText = 4096;

    /// <summary>Text longer than this is flagged high: a description this long floods the model's context.</summary>
    public const int OversizeText = 16384;

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    // Words that follow "use"/"call" without naming a tool.
    private static readonly HashSet<string> NotToolNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "this", "that", "it", "them", "these", "those", "a", "an", "the", "any", "tool", "tools", "function", "functions",
        "other", "another", "one", "each", "some", "me", "you",
    };

    /// <summary>Applies every text rule to <paramref name="text"/>; <paramref name="ownName"/> and <paramref name="siblings"/> tell shadowing from a reference within the server.</summary>
    public static void Check(string text, string pointer, string? ownName, IReadOnlySet<string> siblings, List<ScanFinding> findings)
    {
        Match(InstructionTagPattern(), InstructionTag, FindingSeverity.High, text, pointer, findings);
        Match(OverridePattern(), Override, FindingSeverity.High, text, pointer, findings);
        Match(ConcealPattern(), Conceal, FindingSeverity.High, text, pointer, findings);
        Match(SecretPathPattern(), SecretPath, FindingSeverity.High, text, pointer, findings);
        Match(ExfiltrationPattern(), Exfiltration, FindingSeverity.High, text, pointer, findings);
        Match(ImperativePattern(), Imperative, FindingSeverity.Low, text, pointer, findings);
        Match(CredentialPattern(), CredentialRequest, FindingSeverity.Low, text, pointer, findings);
        Match(EncodePattern(), EncodeData, FindingSeverity.Low, text, pointer, findings);
        Match(UrlPattern(), Url, FindingSeverity.Low, text, pointer, findings);
        CheckShadowing(text, pointer, ownName, siblings, findings);
        if (text.Length > LongText)
        {
            findings.Add(new ScanFinding(Oversize, text.Length > OversizeText ? FindingSeverity.High : FindingSeverity.Low, pointer, Guard.Excerpt.Around(text, 0)));
        }
    }

    /// <summary>
    /// "When you use send_email, also …": a tool telling the model how to use another. High when the tool named is not
    /// in this listing (it belongs to another server); low when it is a sibling (servers do cross-reference their own tools).
    /// </summary>
    private static void CheckShadowing(string text, string pointer, string? ownName, IReadOnlySet<string> siblings, List<ScanFinding> findings)
    {
        FindingSeverity? severity = null;
        var at = 0;
        foreach (Match match in ShadowingPattern().Matches(text))
        {
            var tool = match.Groups["tool"];
            var name = tool.Value.Trim('`', '\'', '"');
            if (NotToolNames.Contains(name) || string.Equals(name, ownName, StringComparison.Ordinal) || !LooksLikeToolName(tool.Value, text, tool.Index + tool.Length))
            {
                continue;
            }

            var found = siblings.Contains(name) ? FindingSeverity.Low : FindingSeverity.High;
            if (severity is null || found > severity)
            {
                (severity, at) = (found, match.Index);
            }
        }

        if (severity is { } worst)
        {
            findings.Add(new ScanFinding(Shadowing, worst, pointer, Guard.Excerpt.Around(text, at)));
        }

        Match(OtherToolsPattern(), Shadowing, FindingSeverity.High, text, pointer, findings);
    }

    // A quoted name, one with _ - . or a digit, camelCase, or one followed by "tool": not a plain verb ("when you search, …").
    private static bool LooksLikeToolName(string token, string text, int end) =>
        token.StartsWith('`') || token.StartsWith('\'') || token.StartsWith('"')
        || token.AsSpan().IndexOfAny("_-.0123456789") >= 0
        || token.AsSpan(1).IndexOfAnyInRange('A', 'Z') >= 0
        || text.AsSpan(end).TrimStart().StartsWith("tool", StringComparison.OrdinalIgnoreCase);

    private static void Match(Regex pattern, string rule, FindingSeverity severity, string text, string pointer, List<ScanFinding> findings)
    {
        foreach (var match in pattern.EnumerateMatches(text))
        {
            findings.Add(new ScanFinding(rule, severity, pointer, Guard.Excerpt.Around(text, match.Index)));
            return;
        }
    }

    [GeneratedRegex(@"<\s*/?\s*(important|system|instructions?|secret|hidden|admin|sys)\b[^<>]{0,40}>|\[/?\s*(INST|SYS|SYSTEM)\s*\]|<\|(im_start|im_end|system|assistant|user)\|>", Options)]
    private static partial Regex InstructionTagPattern();

    [GeneratedRegex(@"\b(ignore|disregard|forget|override|bypass)\s+((all|any|the|your|of|every)\s+){0,3}(previous|prior|above|earlier|preceding|original|system|existing|other)\s+(instructions?|prompts?|rules|directions|guidelines|messages|context)\b|\bnew\s+(system\s+)?instructions\s*:|\bfrom\s+now\s+on,?\s+you\s+(are|will|must)\b", Options)]
    private static partial Regex OverridePattern();

    [GeneratedRegex(@"\b(do\s+not|don'?t|never|must\s+not|should\s+not|shouldn'?t|without)\s+(ever\s+)?(tell|telling|inform|informing|notify|notifying|alert|alerting|mention|mentioning|reveal|revealing|show|showing|disclose|disclosing|let)\b[^.\n]{0,40}?\b(the\s+)?(user|human|operator)\b|\b(hide|conceal|keep)\b[^.\n]{0,40}?\bfrom\s+the\s+(user|human)\b|\bthe\s+(user|human)\s+(must|should|need|may)\s*(not|n'?t)\s+(know|see|notice|be\s+told|find\s+out|learn)\b", Options)]
    private static partial Regex ConcealPattern();

    [GeneratedRegex(@"(?<![\w.])\.ssh\b|\bid_(rsa|dsa|ecdsa|ed25519)\b|\.aws[/\\]credentials|(?<![\w.])\.(netrc|npmrc|pypirc|git-credentials|pgpass)\b|\.docker[/\\]config\.json|/etc/(shadow|passwd|sudoers)\b|\bmcp\.json\b|claude_desktop_config\.json|(?<![\w.])\.cursor[/\\]|(?<![\w.$])\.env\b(?![-\w])|\bwallet\.dat\b|\.kube[/\\]config\b|\.gnupg\b", Options)]
    private static partial Regex SecretPathPattern();

    [GeneratedRegex(@"\b(send|post|upload|forward|transmit|exfiltrate|leak|report|copy|e-?mail|beacon)\b[^.\n]{0,60}?\bto\s+(https?://|[\w.+-]+@[\w-]+\.[\w.]+|the\s+(following\s+)?(url|endpoint|webhook|server|address|email\s+address))", Options)]
    private static partial Regex ExfiltrationPattern();

    [GeneratedRegex(@"\b(you|the\s+(assistant|model|ai|llm|agent))\s+(must|should|have\s+to|are\s+required\s+to|will\s+need\s+to)\s+((first|also|always|now)\s+){0,2}(read|send|call|invoke|include|pass|forward|upload|ignore|forget|tell|say|reply|respond)\b", Options)]
    private static partial Regex ImperativePattern();

    [GeneratedRegex(@"\b(read|send|include|pass|provide|give|share|upload|copy|forward|append|attach)\b[^.\n]{0,40}?\b(api[\s_-]?keys?|passwords?|private[\s_-]keys?|credentials|secrets?|session\s+cookies?|ssh\s+keys?|seed\s+phrase)\b", Options)]
    private static partial Regex CredentialPattern();

    [GeneratedRegex(@"\bencode\s+(it|them|this|that|the\s+\w+|all|everything)\b[^.\n]{0,30}?\b(base64|hex|rot13)\b|\b(base64|hex|rot13)[\s-]encode\s+(it|them|this|that|the)\b", Options)]
    private static partial Regex EncodePattern();

    [GeneratedRegex(@"\bhttps?://[^\s""'<>]{1,200}", Options)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"\b(when|whenever|before|after|if|each\s+time|every\s+time)\s+(you\s+|the\s+(assistant|model|agent)\s+)?(use|uses|using|call|calls|calling|invoke|invokes|invoking|run|runs|running|execute|executes|executing)\s+(the\s+|any\s+)?(?<tool>[`'""]?[A-Za-z][\w.-]{1,63}[`'""]?)[^.\n]{0,120}?\b(also|always|instead|must|make\s+sure|be\s+sure|remember\s+to|add|change|replace|redirect|bcc|cc)\b", Options)]
    private static partial Regex ShadowingPattern();

    [GeneratedRegex(@"\b(all|any|every)\s+other\s+(tools?|functions?|servers?)\b[^.\n]{0,60}?\b(must|should|always|never|instead)\b", Options)]
    private static partial Regex OtherToolsPattern();
}
