using System.Diagnostics;
using Smcp.Orchestrator.Images.Vetting;

namespace Smcp.Orchestrator.Tests.Vetting;

public sealed class RealImageVettingTests
{
    private const string ProbeImage = "smcp-test/probe:test";

    [Test]
    public async Task A_real_docker_save_is_read_as_a_stream_and_its_setuid_probe_copy_is_rejected()
    {
        await RequireImageAsync();
        using var save = Process.Start(new ProcessStartInfo("docker", ["save", ProbeImage])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = save.StandardError.ReadToEndAsync();

        var report = (await Vet.StreamAsync(save.StandardOutput.BaseStream)).Report;
        await save.WaitForExitAsync();

        Assert.That(save.ExitCode, Is.EqualTo(0), await stderr);
        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.SetuidFile }));
        Assert.That(Vet.Paths(report), Is.EqualTo(new[] { "probe-suid" }));
        Assert.That(report.Entrypoint, Is.EqualTo(new[] { "/probe" }));
        Assert.That(report.User, Is.EqualTo("65534:65534"));
        Assert.That(report.RepoTags, Is.EqualTo(new[] { ProbeImage }));
        Assert.That(report.LayerCount, Is.EqualTo(2));
    }

    private static async Task RequireImageAsync()
    {
        using var inspect = Process.Start(new ProcessStartInfo("docker", ["image", "inspect", ProbeImage])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await Task.WhenAll(inspect.StandardOutput.ReadToEndAsync(), inspect.StandardError.ReadToEndAsync(), inspect.WaitForExitAsync());
        if (inspect.ExitCode != 0)
        {
            Assert.Fail($"The image {ProbeImage} is missing; `bash tests/images/build.sh probe` builds it (needs dockerd at /var/run/docker.sock).");
        }
    }
}
