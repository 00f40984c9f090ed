using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.Tests.Config;

/// <summary>A tenant's <c>signIn:</c>: every key read as written, every mistake reported with its place, and no secret in the file.</summary>
public sealed class SignInConfigTests
{
    private static readonly Dictionary<string, string> Environment = new(StringComparer.Ordinal) { ["ACME_OIDC_SECRET"] = "s3cret", ["EMPTY"] = "" };

    private static ConfigResult Parse(string signIn) =>
        ConfigLoader.Parse("tenants:\n  - id: acme\n    signIn: " + signIn, "smcp.yaml", name => Environment.GetValueOrDefault(name));

    private static SignInConfig Valid(string signIn)
    {
        var result = Parse(signIn);
        Assert.That(result.Errors.Select(e => e.ToString()), Is.Empty, "the file should have been valid");
        return result.Config!.FindTenant("acme")!.SignIn;
    }

    private static string Error(string signIn)
    {
        var result = Parse(signIn);
        Assert.That(result.IsValid, Is.False, "the file should have been refused");
        return string.Join('\n', result.Errors.Select(e => e.ToString()));
    }

    [Test]
    public void Without_sign_in_settings_a_tenant_signs_in_with_passwords_only()
    {
        var result = ConfigLoader.Parse("tenants:\n  - id: acme", "smcp.yaml", _ => null);
        Assert.That(result.Config!.FindTenant("acme")!.SignIn, Is.EqualTo(SignInConfig.Default));
        Assert.That((SignInConfig.Default.Passwords, SignInConfig.Default.Upstream), Is.EqualTo((true, (UpstreamProviderConfig?)null)));
    }

    [Test]
    public void Every_key_is_read_as_written()
    {
        var signIn = Valid("{ passwords: false, upstream: { issuer: \"https://login.example.com/realms/acme\", clientId: smcp, clientSecretEnv: ACME_OIDC_SECRET, "
            + "scopes: [openid, email, profile], claim: upn, displayName: Acme SSO } }");
        var upstream = signIn.Upstream!;
        Assert.That(signIn.Passwords, Is.False);
        Assert.That((upstream.Issuer, upstream.ClientId, upstream.Claim, upstream.DisplayName, upstream.AllowHttp),
            Is.EqualTo(("https://login.example.com/realms/acme", "smcp", "upn", "Acme SSO", false)));
        Assert.That(upstream.Scopes, Is.EqualTo(new[] { "openid", "email", "profile" }));
        Assert.That(upstream.ClientSecret, Is.EqualTo(new SecretSource("ACME_OIDC_SECRET", null)));
    }

    [Test]
    public void A_public_client_takes_the_defaults()
    {
        var upstream = Valid("{ upstream: { issuer: https://id.example.com, clientId: smcp } }").Upstream!;
        Assert.That((upstream.ClientSecret, upstream.Claim, upstream.DisplayName), Is.EqualTo(((SecretSource?)null, "email", "id.example.com")));
        Assert.That(upstream.Scopes, Is.EqualTo(new[] { "openid", "email" }));
    }

    [Test]
    public void A_secret_file_is_read_when_a_sign_in_starts_and_checked_at_load()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "from-a-file\n");
            var source = Valid($"{{ upstream: {{ issuer: https://id.example.com, clientId: smcp, clientSecretFile: {file} }} }}").Upstream!.ClientSecret!;
            Assert.That(source.Read(_ => null), Is.EqualTo("from-a-file"));
            File.WriteAllText(file, new string('x', SecretSource.MaxBytes + 1));
            Assert.That(source.Read(_ => null), Is.Null);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase("{ upstream: { clientId: smcp } }", "signIn.upstream: issuer is required", TestName = "An upstream provider without an issuer is refused")]
    [TestCase("{ upstream: { issuer: https://id.example.com } }", "signIn.upstream: clientId is required", TestName = "An upstream provider without a client id is refused")]
    [TestCase("{ upstream: { issuer: http://id.example.com, clientId: smcp } }", "is plain http; use https, or set allowHttp: true", TestName = "A plain-http issuer needs allowHttp")]
    [TestCase("{ upstream: { issuer: https://id.example.com?x=1, clientId: smcp } }", "is not an absolute https URL", TestName = "An issuer with a query is refused")]
    [TestCase("{ upstream: { issuer: https://id.example.com, clientId: smcp, clientSecretEnv: ACME_OIDC_SECRET, clientSecretFile: /etc/passwd } }", "give clientSecretEnv or clientSecretFile, not both", TestName = "Two secret sources are refused")]
    [TestCase("{ upstream: { issuer: https://id.example.com, clientId: smcp, clientSecretEnv: UNSET } }", "$UNSET holds no client secret", TestName = "An unset secret variable is refused at load")]
    [TestCase("{ upstream: { issuer: https://id.example.com, clientId: smcp, clientSecretEnv: EMPTY } }", "$EMPTY holds no client secret", TestName = "An empty secret variable is refused at load")]
    [TestCase("{ upstream: { issuer: https://id.example.com, clientId: smcp, clientSecretFile: /nonexistent/secret } }", "/nonexistent/secret holds no client secret", TestName = "A missing secret file is refused at load")]
    [TestCase("{ upstream: { issuer: https://id.example.com, clientId: smcp, clientSecret: s3cret } }", "signIn.upstream.clientSecret: unknown key", TestName = "A secret written into the file is refused")]
    [TestCase("{ upstream: { issuer: https://id.example.com, clientId: smcp, scopes: [email] } }", "list openid and at most 19 more scopes", TestName = "Scopes without openid are refused")]
    [TestCase("{ upstream: { issuer: https://id.example.com, clientId: smcp, scopes: [\"open id\"] } }", "is not a scope", TestName = "A scope with a space is refused")]
    [TestCase("{ upstream: { issuer: https://id.example.com, clientId: \"has space\" } }", "is not a client id", TestName = "A client id with a space is refused")]
    [TestCase("{ upstream: { issuer: https://id.example.com, clientId: smcp, displayName: \"\" } }", "signIn.upstream.displayName: use 1 to 60 printable characters", TestName = "An empty display name is refused")]
    [TestCase("{ passwords: false }", "passwords: false leaves no way to sign in", TestName = "Turning passwords off without a provider is refused")]
    [TestCase("{ passwords: maybe }", "signIn.passwords", TestName = "A passwords value that is not a boolean is refused")]
    [TestCase("{ upstrem: {} }", "did you mean 'upstream'?", TestName = "An unknown sign-in key is reported with the closest one")]
    public void Refused(string signIn, string says) => Assert.That(Error(signIn), Does.Contain(says));
}
