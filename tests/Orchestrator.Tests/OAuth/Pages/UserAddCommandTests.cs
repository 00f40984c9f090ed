using System.Diagnostics;
using System.Net;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.OAuth.Users;

namespace Smcp.Orchestrator.Tests.OAuth.Pages;

/// <summary><c>smcp user add</c>, run in-process against the test host's database.</summary>
public sealed class UserAddCommandTests
{
    private static SmcpConfig Config() => ConfigLoader.Load(OAuthPagesHost.Smcp.ConfigPath).Config!;

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string tenant, string email, string stdin)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin);
        var exit = await UserAddCommand.RunAsync(Config(), tenant, email, input.ReadLine, output, error, CancellationToken.None);
        return (exit, output.ToString().Trim(), error.ToString().Trim());
    }

    [Test]
    public async Task A_user_added_from_stdin_can_sign_in_and_is_stored_hashed()
    {
        const string password = "bob types a long password";
        var (exit, output, error) = await RunAsync("acme", "  Bob@Example.COM ", password + "\n");
        Assert.That(exit, Is.Zero, error);
        Assert.That(Guid.TryParse(output, out var id), Is.True, output);

        var stored = await OAuthPagesHost.Smcp.Database.SuperuserScalarAsync<string>($"SELECT email || ' ' || password_hash FROM oauth_users WHERE id = '{id}'");
        var (email, hash) = (stored.Split(' ')[0], stored.Split(' ')[1]);
        Assert.That(email, Is.EqualTo("bob@example.com"));
        Assert.That(hash, Does.Not.Contain(password).And.Not.Contain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(password))));
        Assert.That(Convert.FromBase64String(hash)[0], Is.EqualTo(0x01), "ASP.NET Core Identity's V3 format (PBKDF2)");

        using var browser = new OAuthBrowser(OAuthPagesHost.Smcp.BaseAddress);
        var consent = await new AuthorizeCall().SignInAsync(browser, "bob@example.com", password);
        Assert.That(consent.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await consent.Content.ReadAsStringAsync(), Does.Contain("name=\"approve\""));
    }

    [Test]
    public async Task An_unknown_tenant_is_exit_2()
    {
        var (exit, _, error) = await RunAsync("nobody", "carol@example.com", "a password long enough\n");
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error, Does.Contain("not in smcp.yaml"));
    }

    [Test]
    public async Task A_short_password_is_exit_4_and_adds_nobody()
    {
        var (exit, _, error) = await RunAsync("acme", "dave@example.com", "short\n");
        Assert.That(exit, Is.EqualTo(4));
        Assert.That(error, Does.Contain("at least 12"));
        Assert.That(await OAuthPagesHost.Smcp.Database.SuperuserScalarAsync<long>("SELECT count(*) FROM oauth_users WHERE email = 'dave@example.com'"), Is.Zero);
    }

    [Test]
    public async Task No_password_on_stdin_is_exit_4()
    {
        Assert.That((await RunAsync("acme", "erin@example.com", "")).ExitCode, Is.EqualTo(4));
    }

    [TestCase("not-an-email")]
    [TestCase("two@at@example.com")]
    [TestCase("<script>@example.com")]
    public async Task A_bad_email_is_exit_3(string email)
    {
        Assert.That((await RunAsync("acme", email, "a password long enough\n")).ExitCode, Is.EqualTo(3));
    }

    [Test]
    public async Task An_email_taken_in_the_tenant_is_exit_5()
    {
        Assert.That((await RunAsync("acme", "frank@example.com", "frank's long password\n")).ExitCode, Is.Zero);
        var (exit, _, error) = await RunAsync("acme", "FRANK@example.com", "another long password\n");
        Assert.That(exit, Is.EqualTo(5));
        Assert.That(error, Does.Contain("already has a user"));
        Assert.That((await RunAsync("beta", "frank@example.com", "frank's long password\n")).ExitCode, Is.Zero);
    }

    [Test]
    public async Task Smcp_user_add_takes_the_password_from_stdin_and_prints_the_id()
    {
        var smcp = Path.Combine(AppContext.BaseDirectory, "smcp.dll");
        var start = new ProcessStartInfo("dotnet", $"{smcp} user add --tenant acme --email grace@example.com --config {OAuthPagesHost.Smcp.ConfigPath}")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync("grace's password is long");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, await error);
        var id = Guid.Parse((await output).Trim());
        Assert.That(await OAuthPagesHost.Smcp.Database.SuperuserScalarAsync<string>($"SELECT email FROM oauth_users WHERE id = '{id}'"), Is.EqualTo("grace@example.com"));
    }
}
