using Smcp.Orchestrator.Auth;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Tests.Auth;

public sealed class ApiKeyFormatTests
{
    [Test]
    public void A_new_key_names_its_tenant_and_carries_32_random_bytes()
    {
        var key = ApiKeyFormat.NewKey("acme-co");

        Assert.That(key, Does.StartWith("smcp_acme-co_"));
        Assert.That(key, Has.Length.EqualTo("smcp_acme-co_".Length + 43));
        Assert.That(ApiKeyFormat.TenantOf(key), Is.EqualTo("acme-co"));
        Assert.That(ApiKeyFormat.NewKey("acme-co"), Is.Not.EqualTo(key));
    }

    [TestCase("")]
    [TestCase("Bearer smcp_acme_x")]
    [TestCase("smcp_acme_tooshort")]
    [TestCase("smcp__AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("smcp_ACME_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("sk_acme_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Text_not_shaped_like_a_key_names_no_tenant(string text) =>
        Assert.That(ApiKeyFormat.TenantOf(text), Is.Null);

    [Test]
    public void A_secret_holding_underscores_still_parses() =>
        Assert.That(ApiKeyFormat.TenantOf("smcp_acme_" + new string('_', 43)), Is.EqualTo("acme"));

    [Test]
    public void The_hash_is_sha256_of_the_whole_key()
    {
        var hash = ApiKeyFormat.Hash("smcp_acme_x");
        Assert.That(hash, Has.Length.EqualTo(32));
        Assert.That(hash, Is.EqualTo(System.Security.Cryptography.SHA256.HashData("smcp_acme_x"u8)));
    }

    [Test]
    public void Roles_allow_what_they_say_and_no_more()
    {
        var admin = new SmcpPrincipal("admin", null, SmcpRole.PlatformAdmin);
        var tenantAdmin = new SmcpPrincipal("key:1", "acme", SmcpRole.TenantAdmin);
        var user = new SmcpPrincipal("key:2", "acme", SmcpRole.TenantUser);
        var reader = new SmcpPrincipal("key:3", "acme", SmcpRole.ReadOnly);

        Assert.That(admin.MayManage("anyone"), Is.True);
        Assert.That(tenantAdmin.MayManage("acme"), Is.True);
        Assert.That(tenantAdmin.MayRead("other"), Is.False);
        Assert.That(user.MayRead("acme"), Is.False);
        Assert.That(user.MayUseMcp("acme"), Is.True);
        Assert.That(reader.MayRead("acme"), Is.True);
        Assert.That(reader.MayManage("acme"), Is.False);
        // A read-only key reaches MCP only on a server whose tool policy names it (checked when a session opens).
        Assert.That(reader.MayUseMcp("acme"), Is.True);
        Assert.That(reader.MayUseMcp("other"), Is.False);
        Assert.That(ToolPolicy.None.Admits(SmcpRole.ReadOnly), Is.False);
        Assert.That(ToolPolicy.None.Admits(SmcpRole.TenantUser), Is.True);
    }
}
