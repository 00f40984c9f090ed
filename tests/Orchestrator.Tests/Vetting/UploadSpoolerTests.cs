using System.Runtime.Versioning;
using Microsoft.Extensions.Options;
using Smcp.Orchestrator.Images.Vetting;

namespace Smcp.Orchestrator.Tests.Vetting;

[UnsupportedOSPlatform("windows")]
public sealed class UploadSpoolerTests
{
    private string directory = "";

    [SetUp]
    public void CreateDirectory() =>
        directory = Path.Combine(Path.GetTempPath(), $"smcp-spool-test-{Guid.NewGuid():N}");

    [TearDown]
    public void RemoveDirectory()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task An_endless_upload_is_cut_off_at_the_limit_and_leaves_no_file()
    {
        var endless = new EndlessZeros();

        var result = await Spooler().SpoolAsync(endless, 1_000_000, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new SpoolResult.OverLimit(1_000_000)));
        Assert.That(((SpoolResult.OverLimit)result).Message, Is.EqualTo("The upload is over the limit of 1000000 bytes."));
        Assert.That(endless.BytesRead, Is.EqualTo(1_000_001));
        Assert.That(Directory.GetFiles(directory), Is.EqualTo(Array.Empty<string>()));
    }

    [Test]
    public async Task An_upload_under_the_limit_is_kept_whole_in_an_owner_only_file_until_disposed()
    {
        var body = new byte[300_000];
        new Random(7).NextBytes(body);

        var result = await Spooler().SpoolAsync(new MemoryStream(body), 300_000, CancellationToken.None);

        var upload = ((SpoolResult.Spooled)result).Upload;
        Assert.That(upload.Length, Is.EqualTo(300_000));
        Assert.That(await File.ReadAllBytesAsync(upload.Path), Is.EqualTo(body));
        Assert.That(File.GetUnixFileMode(upload.Path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(directory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));

        upload.Dispose();

        Assert.That(File.Exists(upload.Path), Is.EqualTo(false));
    }

    [Test]
    public void A_cancelled_upload_leaves_no_file()
    {
        using var cancellation = new CancellationTokenSource();
        var body = new EndlessZeros { CancelAfter = (200_000, cancellation) };

        Assert.CatchAsync<OperationCanceledException>(async () => await Spooler().SpoolAsync(body, 1_000_000, cancellation.Token));
        Assert.That(Directory.GetFiles(directory), Is.EqualTo(Array.Empty<string>()));
    }

    [Test]
    public async Task A_spooled_upload_can_be_vetted_from_its_file()
    {
        var tarball = Vet.CleanImage().Build();
        var result = await Spooler().SpoolAsync(new MemoryStream(tarball), tarball.Length, CancellationToken.None);
        using var upload = ((SpoolResult.Spooled)result).Upload;

        await using var file = upload.OpenRead();
        var report = (await Vet.StreamAsync(file)).Report;

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Accept));
        Assert.That(report.TotalBytes, Is.EqualTo(tarball.Length));
    }

    [Test]
    public async Task An_upload_that_would_take_the_disk_below_its_floor_is_refused_and_leaves_no_file()
    {
        // Far above the free space, so other tests freeing files meanwhile cannot lift the disk over it.
        var floor = new DriveInfo(Path.GetTempPath()).AvailableFreeSpace + (1L << 30);
        var spooler = new UploadSpooler(Options.Create(new UploadSpoolOptions { Directory = directory, MinFreeBytes = floor }));

        var result = await spooler.SpoolAsync(new MemoryStream(new byte[10_000]), 1_000_000, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new SpoolResult.DiskFull(floor)));
        Assert.That(Directory.GetFiles(directory), Is.EqualTo(Array.Empty<string>()));
        Assert.That(Spooler().HasRoomFor(1024), Is.True, "the default floor leaves room on this disk");
    }

    [Test]
    public void Disk_promised_to_one_upload_is_not_promised_again_and_comes_back_when_released()
    {
        // A floor that leaves 1 GiB of room; promises write nothing, so 300 MiB of margin absorbs other tests' uploads meanwhile.
        Directory.CreateDirectory(directory);
        var floor = new DriveInfo(directory).AvailableFreeSpace - (1L << 30);
        var spooler = new UploadSpooler(Options.Create(new UploadSpoolOptions { Directory = directory, MinFreeBytes = floor }));

        var first = spooler.Promise(700L << 20);
        var second = spooler.Promise(700L << 20);
        first?.Dispose();
        using var third = spooler.Promise(700L << 20);

        Assert.That(first, Is.Not.Null);
        Assert.That(second, Is.Null, "the same free space is not promised twice");
        Assert.That(third, Is.Not.Null, "released bytes can be promised again");
    }

    private UploadSpooler Spooler() => new(Options.Create(new UploadSpoolOptions { Directory = directory }));

    /// <summary>A request body that never ends: zeros forever, counting what was read.</summary>
    private sealed class EndlessZeros : Stream
    {
        public long BytesRead { get; private set; }

        public (long Bytes, CancellationTokenSource Source)? CancelAfter { get; init; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            buffer.Clear();
            BytesRead += buffer.Length;
            if (CancelAfter is { } cancel && BytesRead >= cancel.Bytes)
            {
                cancel.Source.Cancel();
            }

            return buffer.Length;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
