using System.Buffers;
using System.Text.RegularExpressions;

namespace Smcp.Proxy.Policy;

/// <summary>One credential shape of <see cref="CredentialShapes"/>: its rule id, the literals every match holds one of, and its pattern.</summary>
internal sealed record CredentialShape(string Rule, SearchValues<string> Anchors, Regex Pattern);
