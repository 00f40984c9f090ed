namespace Smcp.Proxy.Guard;

/// <summary>A list method the scan knows: where its entries are, what names an entry, and which requests use one.</summary>
/// <param name="ArrayMember">The result's member holding the entries.</param>
/// <param name="KeyMember">The entry's member a request names it by.</param>
/// <param name="Noun">How an error message calls an entry.</param>
internal sealed record ListingKind(string ListMethod, string ArrayMember, string KeyMember, string Noun)
{
    public static readonly ListingKind Tools = new("tools/list", "tools", "name", "tool");

    public static readonly ListingKind Prompts = new("prompts/list", "prompts", "name", "prompt");

    public static readonly ListingKind Resources = new("resources/list", "resources", "uri", "resource");

    /// <summary>A template is only removed from its listing: reads name concrete URIs, which a template does not match by equality.</summary>
    public static readonly ListingKind ResourceTemplates = new("resources/templates/list", "resourceTemplates", "uriTemplate", "resource template");

    /// <summary>Whether entries' <c>name</c> members are names a model calls (tools, prompts) rather than display names (resources).</summary>
    public bool NamesAreIdentifiers => KeyMember == "name";

    public static ListingKind? ForList(string method) => method switch
    {
        "tools/list" => Tools,
        "prompts/list" => Prompts,
        "resources/list" => Resources,
        "resources/templates/list" => ResourceTemplates,
        _ => null,
    };

    /// <summary>The kind of entry a request names in <c>params.name</c> or <c>params.uri</c> (see <see cref="Json.JsonRpcMessage.Target"/>).</summary>
    public static ListingKind? ForUse(string method) => method switch
    {
        "tools/call" => Tools,
        "prompts/get" => Prompts,
        "resources/read" or "resources/subscribe" => Resources,
        _ => null,
    };
}
