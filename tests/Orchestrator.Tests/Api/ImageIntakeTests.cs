using System.Formats.Tar;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Orchestrator.Tests.Vetting;

namespace Smcp.Orchestrator.Tests.Api;

/// <summary>Crafted uploads through the real host into the real engine: the engine gets the vetted bytes and nothing else.</summary>
public sealed class ImageIntakeTests
{
    private SmcpServerFixture _smcp = null!;
    private IDockerClient _docker = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _smcp = await SmcpServerFixture.StartAsync("intake", """
            tenants:
              - id: intake
            """);
        _docker = new DockerClientConfiguration(new Uri("unix:///var/run/docker.sock")).CreateClient(new System.Version(1, 41));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _docker.Dispose();
        await _smcp.DisposeAsync();
    }

    /// <summary>Each crafted tarball, and the entry its finding must name (null: the layer's own path in the tarball).</summary>
    private static IEnumerable<TestCaseData> Crafted()
    {
        yield return Case("manifest through a symlink", new ImageTarBuilder { ManifestThrough = TarEntryType.SymbolicLink }.Layer(ImageTarBuilder.File("app/server")), "unsafe-link", "manifest.json");
        yield return Case("manifest through a hard link", new ImageTarBuilder { ManifestThrough = TarEntryType.HardLink }.Layer(ImageTarBuilder.File("app/server")), "unsafe-link", "manifest.json");
        yield return Case("write through a directory symlink", new ImageTarBuilder().Layer(
            new PaxTarEntry(TarEntryType.SymbolicLink, "app") { LinkName = "/etc" }, ImageTarBuilder.File("app/passwd", "644")), "unsafe-path", "app/passwd");
        yield return Case("V7 entry x/ carrying data", Vet.CleanImage().OuterEntry(
            new V7TarEntry(TarEntryType.V7RegularFile, "x/") { DataStream = new MemoryStream(new byte[1024]) }), "unsupported-entry", "x/");
        yield return Case("diff_id that does not match", new ImageTarBuilder { FirstDiffId = "sha256:" + new string('1', 64) }.Layer(ImageTarBuilder.File("app/server")), "diff-id-mismatch", null);
        yield return Case("config digest that does not match its name", new ImageTarBuilder { ConfigName = new string('2', 64) + ".json" }.Layer(ImageTarBuilder.File("app/server")), "digest-mismatch", new string('2', 64) + ".json");
        yield return Case("image config with Volumes", Vet.CleanImage().Volume("/data"), "volumes", null);
    }

    private static TestCaseData Case(string name, ImageTarBuilder image, string code, string? path) =>
        new TestCaseData(image.Build(), code, path) { TestName = $"A_crafted_upload_is_refused_and_leaves_the_engine_as_it_was({name})" };

    [TestCaseSource(nameof(Crafted))]
    public async Task A_crafted_upload_is_refused_and_leaves_the_engine_as_it_was(byte[] tarball, string code, string? path)
    {
        var before = await OutsideTagsAsync();

        var response = await UploadAsync(tarball);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), await response.Content.ReadAsStringAsync());
        var findings = (await response.Content.ReadFromJsonAsync<JsonObject>())!["vetting"]!["findings"]!.AsArray();
        var finding = findings.FirstOrDefault(f => f!["code"]!.GetValue<string>() == code);
        Assert.That(finding, Is.Not.Null, findings.ToJsonString());
        var expectedPath = path ?? (code == "volumes" ? ConfigName(tarball) : LayerName(tarball));
        Assert.That(finding!["path"]?.GetValue<string>(), Is.EqualTo(expectedPath));
        Assert.That(await OutsideTagsAsync(), Is.EqualTo(before), "no tag outside smcp/ changed");
        Assert.That(await HasImageAsync(ConfigDigest(tarball)), Is.False, "the crafted image is not in the engine");
    }

    [Test]
    public async Task A_good_image_loads_as_its_config_digest_with_exactly_the_vetted_layers()
    {
        var tarball = Vet.CleanImage().GzipLayer(ImageTarBuilder.File("app/extra", "644", "second layer")).Build();
        var before = await OutsideTagsAsync();

        var image = await UploadOkAsync(tarball);

        var inspect = await _docker.Images.InspectImageAsync(image["reference"]!.GetValue<string>());
        Assert.That(inspect.ID, Is.EqualTo(ConfigDigest(tarball)));
        Assert.That(image["vetting"]!["imageId"]!.GetValue<string>(), Is.EqualTo(inspect.ID));
        Assert.That(inspect.RootFS.Layers, Is.EqualTo(DiffIds(tarball)));
        Assert.That(inspect.RepoTags, Is.EqualTo(new[] { image["reference"]!.GetValue<string>() }), "the tarball's RepoTags never reach the engine");
        Assert.That(await OutsideTagsAsync(), Is.EqualTo(before));
        await DeleteAsync(image);
    }

    [Test]
    public async Task An_image_with_a_1_ms_healthcheck_loads_as_vetted_and_moves_no_tag()
    {
        // A HEALTHCHECK is not refused, it is ignored: every sandbox runs with NONE (Sandbox.Tests: ImageConfigPolicyTests).
        var tarball = new ImageTarBuilder { HealthcheckInterval = TimeSpan.FromMilliseconds(1) }.Layer(ImageTarBuilder.File("app/server")).Build();
        var before = await OutsideTagsAsync();

        var image = await UploadOkAsync(tarball);

        var inspect = await _docker.Images.InspectImageAsync(image["reference"]!.GetValue<string>());
        Assert.That(inspect.ID, Is.EqualTo(ConfigDigest(tarball)), "the engine has the vetted config, healthcheck and all");
        Assert.That(inspect.Config.Healthcheck.Interval, Is.EqualTo(TimeSpan.FromMilliseconds(1)));
        Assert.That(await OutsideTagsAsync(), Is.EqualTo(before), "no tag outside smcp/ changed");
        await DeleteAsync(image);
    }

    [Test]
    public async Task A_layer_with_junk_after_its_end_of_archive_loads_only_as_vetted()
    {
        // After the end-of-archive comes a whole second tar with a setuid file: neither reader applies it, and the diff_id covers it.
        using var layer = new MemoryStream();
        foreach (var entry in new[] { ImageTarBuilder.File("app/server"), ImageTarBuilder.File("usr/bin/su", "4755") })
        {
            using var writer = new TarWriter(layer, TarEntryFormat.Pax, leaveOpen: true);
            writer.WriteEntry(entry);
        }

        var tarball = new ImageTarBuilder().RawLayer(layer.ToArray()).Build();

        var image = await UploadOkAsync(tarball);

        var inspect = await _docker.Images.InspectImageAsync(image["reference"]!.GetValue<string>());
        Assert.That(inspect.ID, Is.EqualTo(ConfigDigest(tarball)));
        Assert.That(inspect.RootFS.Layers, Is.EqualTo(DiffIds(tarball)));
        await DeleteAsync(image);
    }

    [Test]
    public async Task Files_the_manifest_does_not_name_never_reach_the_engine()
    {
        var victim = "smcp-test/intake-victim-" + Guid.NewGuid().ToString("N")[..6];
        var probe = await _docker.Images.InspectImageAsync("smcp-test/probe:test");
        var repositories = System.Text.Encoding.UTF8.GetBytes(new JsonObject { [victim] = new JsonObject { ["v1"] = probe.ID[7..] } }.ToJsonString());
        var tarball = Vet.CleanImage()
            .OuterEntry(new PaxTarEntry(TarEntryType.RegularFile, "repositories") { DataStream = new MemoryStream(repositories) })
            .OuterEntry(new PaxTarEntry(TarEntryType.RegularFile, "extra/layer.tar") { DataStream = new MemoryStream(LayerOf(ImageTarBuilder.File("usr/bin/su", "644"))) })
            .Build();
        var before = await OutsideTagsAsync();

        var image = await UploadOkAsync(tarball);

        var inspect = await _docker.Images.InspectImageAsync(image["reference"]!.GetValue<string>());
        Assert.That(inspect.RootFS.Layers, Is.EqualTo(DiffIds(tarball)));
        Assert.That(await OutsideTagsAsync(), Is.EqualTo(before));
        Assert.That((await OutsideTagsAsync()).Keys, Has.None.StartsWith(victim));
        await DeleteAsync(image);
    }

    private async Task<HttpResponseMessage> UploadAsync(byte[] tarball)
    {
        using var client = _smcp.Client(SmcpServerFixture.AdminKey);
        using var body = new ByteArrayContent(tarball);
        body.Headers.ContentType = new("application/x-tar");
        return await client.PostAsync("/v1/tenants/intake/images?server=crafted", body);
    }

    private async Task<JsonObject> UploadOkAsync(byte[] tarball)
    {
        var response = await UploadAsync(tarball);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task DeleteAsync(JsonObject image)
    {
        using var client = _smcp.Client(SmcpServerFixture.AdminKey);
        var deleted = await client.DeleteAsync($"/v1/tenants/intake/images/{image["image"]!.GetValue<string>()}");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    /// <summary>Every tag in the engine outside <c>smcp/</c>, with the image it names.</summary>
    private async Task<Dictionary<string, string>> OutsideTagsAsync()
    {
        var images = await _docker.Images.ListImagesAsync(new ImagesListParameters { All = true });
        return images.SelectMany(i => (i.RepoTags ?? []).Select(t => (Tag: t, i.ID)))
            .Where(t => !t.Tag.StartsWith("smcp/", StringComparison.Ordinal) && t.Tag != "<none>:<none>")
            .ToDictionary(t => t.Tag, t => t.ID, StringComparer.Ordinal);
    }

    private async Task<bool> HasImageAsync(string id)
    {
        var images = await _docker.Images.ListImagesAsync(new ImagesListParameters { All = true });
        return images.Any(i => i.ID == id);
    }

    private static byte[] LayerOf(params TarEntry[] entries)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        return tar.ToArray();
    }

    private static Dictionary<string, byte[]> Files(byte[] tarball)
    {
        using var reader = new TarReader(new MemoryStream(tarball));
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            files[entry.Name] = data.ToArray();
        }

        return files;
    }

    private static string ConfigName(byte[] tarball) =>
        Files(tarball).Keys.First(k => k.EndsWith(".json", StringComparison.Ordinal) && !k.EndsWith("manifest.json", StringComparison.Ordinal));

    private static string ConfigDigest(byte[] tarball) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Files(tarball)[ConfigName(tarball)]));

    private static string LayerName(byte[] tarball) =>
        Files(tarball).Keys.First(k => k.EndsWith("/layer.tar", StringComparison.Ordinal) || k.StartsWith("blobs/", StringComparison.Ordinal));

    private static string[] DiffIds(byte[] tarball) =>
        JsonNode.Parse(Files(tarball)[ConfigName(tarball)])!["rootfs"]!["diff_ids"]!.AsArray().Select(d => d!.GetValue<string>()).ToArray();
}
