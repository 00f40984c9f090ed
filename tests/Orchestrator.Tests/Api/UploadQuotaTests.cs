using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Api;

/// <summary>Uploads at once per tenant, and the bytes of uploads in flight, through the real host.</summary>
public sealed class UploadQuotaTests
{
    private SmcpServerFixture _smcp = null!;

    [OneTimeSetUp]
    public async Task Start() => _smcp = await SmcpServerFixture.StartAsync("uploads", """
        tenants:
          - id: single
            quotas: { maxConcurrentUploads: 1 }
          - id: room
            quotas: { maxImageBytes: 64Mi, totalImageBytes: 64Mi }
          - id: partial
            quotas: { maxImageBytes: 64Mi, totalImageBytes: 96Mi }
        """);

    [OneTimeTearDown]
    public async Task Stop() => await _smcp.DisposeAsync();

    [Test]
    public async Task An_upload_beyond_max_concurrent_uploads_is_429_with_retry_after_until_one_is_done()
    {
        using var slow = new HeldBody();
        using var client = _smcp.Client(SmcpServerFixture.AdminKey);
        var first = client.PostAsync("/v1/tenants/single/images", slow);
        await slow.Started;

        var second = await client.PostAsync("/v1/tenants/single/images", new ByteArrayContent(new byte[1024]));

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(second.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That((await second.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), Does.Contain("maxConcurrentUploads 1"));
        slow.Release();
        Assert.That((await first).StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), "the held body was not an image");
        var third = await client.PostAsync("/v1/tenants/single/images", new ByteArrayContent(new byte[1024]));
        Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), "the slot is free again");
    }

    [Test]
    public async Task An_upload_in_flight_holds_its_bytes_against_total_image_bytes()
    {
        using var slow = new HeldBody();
        using var client = _smcp.Client(SmcpServerFixture.AdminKey);
        var first = client.PostAsync("/v1/tenants/room/images", slow);
        await slow.Started;

        var second = await client.PostAsync("/v1/tenants/room/images", new ByteArrayContent(new byte[1024]));

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await second.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), Does.Contain("uploads in flight hold 67108864"));
        slow.Release();
        await first;
    }

    [Test]
    public async Task An_upload_cut_off_at_the_room_left_under_total_image_bytes_is_403_quota_not_413()
    {
        using var slow = new HeldBody();
        using var client = _smcp.Client(SmcpServerFixture.AdminKey);
        var first = client.PostAsync("/v1/tenants/partial/images", slow);
        await slow.Started;

        var second = await client.PostAsync("/v1/tenants/partial/images", new ByteArrayContent(new byte[33 << 20]));

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "32 MiB are left of 96 while 64 are held: a quota, not a body too large");
        var problem = (await second.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.That(problem["title"]!.GetValue<string>(), Is.EqualTo("Quota exceeded"));
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("over the limit of 33554432 bytes").And.Contain("totalImageBytes 100663296"));
        slow.Release();
        await first;
    }

    /// <summary>A request body that sends 32 MiB, then waits until released, then ends: an upload in flight.</summary>
    /// <remarks>32 MiB is more than the server and the loopback socket buffer before the handler reads, so once it is written the upload is being spooled.</remarks>
    private sealed class HeldBody : HttpContent
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Release() => _released.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(new byte[32 << 20]);
            await stream.FlushAsync();
            _started.TrySetResult();
            await _released.Task;
            await stream.WriteAsync(new byte[512]);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
