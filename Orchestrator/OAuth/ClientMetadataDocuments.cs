namespace Smcp.Orchestrator.OAuth;

/// <summary>Clients named by an https URL whose client ID metadata document is fetched.</summary>
/// <remarks>Stand-in until the fetcher lands: it recognizes such client ids and accepts none of them.</remarks>
internal sealed class ClientMetadataDocuments
{
    /// <summary>Whether <paramref name="clientId"/> is an https URL, so it names a metadata document rather than a registered client.</summary>
    public static bool IsMetadataDocumentId(string clientId) =>
        clientId.StartsWith("https://", StringComparison.Ordinal) && Uri.TryCreate(clientId, UriKind.Absolute, out _);

    public Task<ClientLookup> FindAsync(string clientId, CancellationToken cancellationToken) =>
        Task.FromResult(ClientLookup.Refused("Client ID metadata documents are not fetched by this server yet; register the client instead."));
}
