namespace Smcp.Proxy.Guard;

/// <summary>One thing the tool-definition scan found.</summary>
/// <param name="Rule">The rule's id, e.g. <c>conceal-from-user</c> (README lists them).</param>
/// <param name="Pointer">Where, as a JSON pointer (RFC 6901) into the list result, e.g. <c>/tools/2/description</c>.</param>
/// <param name="Excerpt">At most <see cref="Guard.Excerpt.MaxChars"/> characters around the match, invisible characters spelled out.</param>
internal sealed record ScanFinding(string Rule, FindingSeverity Severity, string Pointer, string Excerpt);
