using Smcp.Orchestrator.OAuth.Pages;

namespace Smcp.Orchestrator.Tests.OAuth.Pages;

/// <summary>What of a refused request's <c>client_id</c> reaches the log: it comes from the query, before any check.</summary>
public sealed class RequestLogTests
{
    [Test]
    public void A_client_id_with_line_breaks_cannot_forge_a_log_line()
    {
        var logged = AuthorizeEndpoint.Truncated("app\r\ninfo: Smcp[2706] User 1 approved client x\u001b[31m");

        Assert.That(logged, Is.EqualTo("app??info: Smcp[2706] User 1 approved client x?[31m"));
    }

    [Test]
    public void A_long_client_id_is_cut_at_256_characters()
    {
        Assert.That(AuthorizeEndpoint.Truncated(new string('a', 300)), Is.EqualTo(new string('a', 256) + "…"));
    }
}
