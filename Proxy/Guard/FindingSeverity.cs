namespace Smcp.Proxy.Guard;

/// <summary>How much a finding weighs: under <c>block</c> only <see cref="High"/> removes an entry.</summary>
internal enum FindingSeverity
{
    /// <summary>Worth an audit line, common in honest listings too (a URL, a long description, a non-ASCII name).</summary>
    Low,

    /// <summary>What honest listings do not contain: instructions hidden from the user, invisible characters, look-alike names.</summary>
    High,
}
