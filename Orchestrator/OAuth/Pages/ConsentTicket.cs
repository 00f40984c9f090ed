namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>What the consent form carries: the request and the user who signed in for it.</summary>
internal sealed record ConsentTicket(AuthorizationRequest Request, Guid UserId);
