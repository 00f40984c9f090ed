namespace Smcp.Proxy.Guard;

/// <summary>What a string in a listing is, which decides the rules it meets.</summary>
internal enum TextRole
{
    /// <summary>Prose the model reads: a description, title, default, enum value.</summary>
    Text,

    /// <summary>A name the model calls by: a tool or prompt name, an argument or schema property name.</summary>
    Identifier,

    /// <summary>Machine text: a URI, <c>$schema</c>, a MIME type, a regex pattern, an object key. Only the Unicode rules apply.</summary>
    Reference,
}
