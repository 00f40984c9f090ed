using Smcp.Orchestrator.Config;
using System.Text.Json;
using Smcp.Orchestrator.Images.Vetting;

namespace Smcp.Orchestrator.Tests.Vetting;

public sealed class SuspiciousEnvTests
{
    private const string GithubToken = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

    [Test]
    public async Task A_credential_named_env_warns_by_default_naming_only_the_variable()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Env("DB_PASSWORD=hunter2-hunter2").Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Warn));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.SuspiciousEnv }));
        Assert.That(report.Findings[0].Severity, Is.EqualTo(FindingSeverity.Warning));
        Assert.That(report.Findings[0].Message.Contains("DB_PASSWORD", StringComparison.Ordinal), Is.EqualTo(true));
        Assert.That(report.EnvNames, Is.EqualTo(new[] { "PATH", "DB_PASSWORD" }));
    }

    [Test]
    public async Task A_credential_env_is_rejected_under_the_reject_policy()
    {
        var policy = VettingPolicy.Default with { OnSuspiciousEnv = SuspiciousEnvAction.Reject };

        var report = await Vet.BytesAsync(Vet.CleanImage().Env("API_KEY=abc123").Build(), policy);

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(report.Findings[0].Severity, Is.EqualTo(FindingSeverity.Error));
    }

    [Test]
    public async Task A_credential_named_env_with_an_empty_value_is_accepted()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Env("API_KEY=").Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Accept));
    }

    [TestCase("NOTES_SETTING=" + GithubToken)]
    [TestCase("AWS=AKIAIOSFODNN7EXAMPLE")]
    [TestCase("FINE_GRAINED=github_pat_11ABCDEFG0123456789_abcdefghijklmnop")]
    [TestCase("OPENAI=sk-proj-abcdefghijklmnopqrstuvwx")]
    [TestCase("SLACK=xoxb-1234567890-abcdefghij")]
    [TestCase("PEM=-----BEGIN RSA PRIVATE KEY-----MIIEow")]
    [TestCase("SESSION=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl")]
    public async Task A_value_shaped_like_a_known_token_is_flagged_whatever_its_name(string variable)
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Env(variable).Build());

        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.SuspiciousEnv }));
    }

    [Test]
    public async Task An_ordinary_env_is_not_flagged()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Env("NODE_ENV=production").Env("LANG=C.UTF-8").Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Accept));
    }

    [Test]
    public async Task No_secret_value_appears_in_the_serialized_report()
    {
        var image = Vet.CleanImage().Env("GITHUB_TOKEN=" + GithubToken).Env("DB_PASSWORD=hunter2-hunter2").Cmd("/app/server", "--token", GithubToken);

        var report = await Vet.BytesAsync(image.Build());
        var json = JsonSerializer.Serialize(report, VettingJsonContext.Default.VettingReport);

        Assert.That(json.Contains(GithubToken, StringComparison.Ordinal), Is.EqualTo(false));
        Assert.That(json.Contains("hunter2", StringComparison.Ordinal), Is.EqualTo(false));
        Assert.That(report.ToString().Contains(GithubToken, StringComparison.Ordinal), Is.EqualTo(false));
        Assert.That(report.Cmd, Is.EqualTo(new[] { "/app/server", "--token", SecretShapes.Redacted }));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.SuspiciousEnv, FindingCodes.SuspiciousEnv, FindingCodes.SecretInCommand }));
    }

    [Test]
    public async Task The_report_serializes_to_camel_case_json_and_back()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(ImageTarBuilder.File("usr/bin/su", "4755")).Build());

        var json = JsonSerializer.Serialize(report, VettingJsonContext.Default.VettingReport);
        using var document = JsonDocument.Parse(json);
        var back = JsonSerializer.Deserialize(json, VettingJsonContext.Default.VettingReport)!;

        Assert.That(document.RootElement.GetProperty("verdict").GetString(), Is.EqualTo("reject"));
        Assert.That(document.RootElement.GetProperty("findings")[0].GetProperty("code").GetString(), Is.EqualTo("setuid-file"));
        Assert.That(document.RootElement.GetProperty("findings")[0].GetProperty("severity").GetString(), Is.EqualTo("error"));
        Assert.That(document.RootElement.GetProperty("envNames")[0].GetString(), Is.EqualTo("PATH"));
        Assert.That(back.Verdict, Is.EqualTo(report.Verdict));
        Assert.That(back.Findings, Is.EqualTo(report.Findings));
        Assert.That(back.Cmd, Is.EqualTo(report.Cmd));
    }
}
