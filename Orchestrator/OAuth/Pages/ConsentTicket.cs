namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>What the consent form carries: the request, the user who signed in for it, and the browser they signed in with.</summary>
/// <param name="Browser">The <see cref="PostedForm.Browser"/> of the sign-in post: a consent sealed for one browser is refused from any other.</param>
internal sealed record ConsentTicket(AuthorizationRequest Request, Guid UserId, string Browser);
