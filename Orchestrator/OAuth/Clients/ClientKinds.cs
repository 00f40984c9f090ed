namespace Smcp.Orchestrator.OAuth.Clients;

/// <summary>The <c>kind</c> and <c>auth_method</c> values of <c>oauth_clients</c>, as the schema's CHECK constraints spell them.</summary>
internal static class ClientKinds
{
    public const string Registered = "registered";
    public const string Service = "service";

    public const string NoAuth = "none";
    public const string SecretBasic = "client_secret_basic";
    public const string SecretPost = "client_secret_post";
}
