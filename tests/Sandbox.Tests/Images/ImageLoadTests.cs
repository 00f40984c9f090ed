using Docker.DotNet;
using Docker.DotNet.Models;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Images;

public sealed class ImageLoadTests
{
    private const string NoImage = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    private static async Task<byte[]> SaveProbeAsync()
    {
        // Saved by id, so the tarball carries no name: loading it must not move the shared test tag.
        var docker = await TestDocker.ClientAsync();
        var probe = await docker.Images.InspectImageAsync(TestDocker.Probe);
        await using var saved = await docker.Images.SaveImageAsync(probe.ID, CancellationToken.None);
        using var copy = new MemoryStream();
        await saved.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Test]
    public async Task A_saved_image_loads_is_tagged_for_its_tenant_and_runs_by_id()
    {
        var docker = await TestDocker.ClientAsync();
        var engine = await TestDocker.EngineAsync(SandboxRuntimes.Gvisor);
        var probe = await docker.Images.InspectImageAsync(TestDocker.Probe);

        var loaded = await engine.LoadImageAsync(new MemoryStream(await SaveProbeAsync()), probe.ID, "acme", "probe", CancellationToken.None);

        Assert.That(loaded.Id, Is.EqualTo(probe.ID));
        Assert.That(loaded.Reference, Is.EqualTo($"smcp/acme/probe:{probe.ID[7..19]}"));
        Assert.That(loaded.SizeBytes, Is.GreaterThan(0));
        var tagged = await docker.Images.InspectImageAsync(loaded.Reference);
        Assert.That(tagged.ID, Is.EqualTo(probe.ID));

        var (result, _, _) = await Probe.RunAsync(engine, Probe.Spec("uname") with { Image = loaded.Id });
        Assert.That(result?["sysname"], Is.EqualTo("Linux"));
    }

    [Test]
    public async Task A_client_that_leaves_once_the_engine_is_loading_does_not_cut_the_load_short()
    {
        var docker = await TestDocker.ClientAsync();
        var engine = await TestDocker.EngineAsync(SandboxRuntimes.Runc);
        var probe = await docker.Images.InspectImageAsync(TestDocker.Probe);
        using var leaving = new CancellationTokenSource();
        var server = "left-" + Guid.NewGuid().ToString("N")[..6];
        // The client goes away as soon as the engine reads the first bytes of the archive.
        await using var archive = new FirstReadCallback(new MemoryStream(await SaveProbeAsync()), () =>
        {
            leaving.Cancel();
            return Task.CompletedTask;
        });

        var loaded = await engine.LoadImageAsync(archive, probe.ID, "acme", server, leaving.Token);

        Assert.That(leaving.IsCancellationRequested, Is.True);
        Assert.That((await docker.Images.InspectImageAsync(loaded.Reference)).ID, Is.EqualTo(probe.ID),
            "the load ran to its end and was named, so no image is left in the engine that no row counts");
        await docker.Images.DeleteImageAsync(loaded.Reference, new ImageDeleteParameters());
    }

    [Test]
    public async Task A_load_waits_for_the_one_before_it_at_most_the_load_queue_timeout()
    {
        var docker = await TestDocker.ClientAsync();
        var engine = await TestDocker.EngineAsync(SandboxRuntimes.Runc, o => o.LoadQueueTimeout = TimeSpan.FromMilliseconds(300));
        var probe = await docker.Images.InspectImageAsync(TestDocker.Probe);
        var tarball = await SaveProbeAsync();
        var engineReading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = "queued-" + Guid.NewGuid().ToString("N")[..6];
        // The first load holds the engine's read of its archive until released: a slow load, as a tenant's largest would be.
        // Waits without holding a thread: the engine's read of the archive may run on the caller's.
        await using var slow = new FirstReadCallback(new MemoryStream(tarball), async () =>
        {
            engineReading.SetResult();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
        });
        // On a thread of its own, whether the engine client reads the archive before it returns or after.
        var first = Task.Run(() => engine.LoadImageAsync(slow, probe.ID, "acme", server, CancellationToken.None));
        await engineReading.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var busy = Assert.ThrowsAsync<SandboxException>(async () =>
            await engine.LoadImageAsync(new MemoryStream(tarball), probe.ID, "acme", server + "-b", CancellationToken.None))!;
        release.SetResult();
        var loaded = await first;

        Assert.That(busy.Error, Is.EqualTo(SandboxError.EngineBusy));
        Assert.That(busy.Message, Does.Contain("Sandbox:LoadQueueTimeout"));
        Assert.That((await docker.Images.InspectImageAsync(loaded.Reference)).ID, Is.EqualTo(probe.ID), "the load it waited for finished");
        await docker.Images.DeleteImageAsync(loaded.Reference, new ImageDeleteParameters());
    }

    [Test]
    public async Task A_load_that_moves_anothers_tag_is_refused_and_the_tag_put_back()
    {
        var docker = await TestDocker.ClientAsync();
        var engine = await TestDocker.EngineAsync(SandboxRuntimes.Gvisor);
        var victim = "smcp-test/victim-" + Guid.NewGuid().ToString("N")[..6];
        var probe = await docker.Images.InspectImageAsync(TestDocker.Probe);
        await docker.Images.TagImageAsync(TestDocker.Probe, new ImageTagParameters { RepositoryName = victim, Tag = "v1" });
        byte[] tarball;
        await using (var saved = await docker.Images.SaveImageAsync($"{victim}:v1", CancellationToken.None))
        using (var copy = new MemoryStream())
        {
            await saved.CopyToAsync(copy);
            tarball = copy.ToArray();
        }

        // The victim's name now belongs to another image; the tarball still carries it.
        await docker.Images.TagImageAsync(TestDocker.Conformance, new ImageTagParameters { RepositoryName = victim, Tag = "v1", Force = true });
        var conformance = await docker.Images.InspectImageAsync(TestDocker.Conformance);
        try
        {
            var error = Assert.ThrowsAsync<SandboxException>(async () =>
                await engine.LoadImageAsync(new MemoryStream(tarball), probe.ID, "acme", "claimed", CancellationToken.None))!;

            Assert.That(error.Error, Is.EqualTo(SandboxError.InvalidImage));
            Assert.That(error.Message, Does.Contain("outside smcp/acme/"));
            Assert.That((await docker.Images.InspectImageAsync($"{victim}:v1")).ID, Is.EqualTo(conformance.ID));
        }
        finally
        {
            await docker.Images.DeleteImageAsync($"{victim}:v1", new ImageDeleteParameters { NoPrune = true });
        }
    }

    [Test]
    public async Task A_load_that_yields_another_image_than_the_vetted_one_is_refused()
    {
        var engine = await TestDocker.EngineAsync(SandboxRuntimes.Gvisor);

        var error = Assert.ThrowsAsync<SandboxException>(async () =>
            await engine.LoadImageAsync(new MemoryStream(await SaveProbeAsync()), "sha256:" + new string('0', 64), "acme", "other", CancellationToken.None))!;

        Assert.That(error.Error, Is.EqualTo(SandboxError.InvalidImage));
        Assert.That(error.Message, Does.Contain("not the vetted image sha256:0000"));
    }

    [Test]
    public async Task A_corrupt_tarball_is_refused_with_a_clear_message()
    {
        var engine = await TestDocker.EngineAsync(SandboxRuntimes.Gvisor);
        var garbage = new byte[64 * 1024];
        new Random(7).NextBytes(garbage);

        var error = Assert.ThrowsAsync<SandboxException>(async () =>
            await engine.LoadImageAsync(new MemoryStream(garbage), NoImage, "acme", "bad", CancellationToken.None))!;
        Assert.That(error.Error, Is.EqualTo(SandboxError.InvalidImage));
        Assert.That(error.Message, Does.StartWith("The upload is not a loadable image:"));
    }

    [Test]
    public async Task A_truncated_tarball_is_refused()
    {
        var engine = await TestDocker.EngineAsync(SandboxRuntimes.Gvisor);
        var whole = await SaveProbeAsync();

        var error = Assert.ThrowsAsync<SandboxException>(async () =>
            await engine.LoadImageAsync(new MemoryStream(whole, 0, whole.Length / 2), NoImage, "acme", "cut", CancellationToken.None))!;
        Assert.That(error.Error, Is.EqualTo(SandboxError.InvalidImage));
    }

    [Test]
    public async Task An_empty_upload_is_refused()
    {
        var engine = await TestDocker.EngineAsync(SandboxRuntimes.Gvisor);
        var error = Assert.ThrowsAsync<SandboxException>(async () =>
            await engine.LoadImageAsync(new MemoryStream(), NoImage, "acme", "empty", CancellationToken.None))!;
        Assert.That(error.Error, Is.EqualTo(SandboxError.InvalidImage));
    }

    /// <summary>A read-only stream that calls back once, at its first read, and reads on when the callback is done.</summary>
    private sealed class FirstReadCallback(Stream inner, Func<Task> callback) : Stream
    {
        private int _called;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Called().GetAwaiter().GetResult();
            return inner.Read(buffer, offset, count);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Called();
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private Task Called() => Interlocked.Exchange(ref _called, 1) == 0 ? callback() : Task.CompletedTask;
    }
}
