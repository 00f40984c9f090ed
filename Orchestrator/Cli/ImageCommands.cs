using System.CommandLine;
using System.Diagnostics;
using Docker.DotNet;
using Spectre.Console;

namespace Smcp.Orchestrator.Cli;

/// <summary><c>smcp image push|list|rm</c>.</summary>
internal static class ImageCommands
{
    public static Command Create()
    {
        var image = new Command("image", "Upload, list and delete the tenant's images");
        image.Add(Push());
        image.Add(List());
        image.Add(Remove());
        return image;
    }

    private static Command Push()
    {
        var file = new Argument<string?>("FILE") { Description = "a `docker save` tarball, or - for stdin", Arity = ArgumentArity.ZeroOrOne };
        var fromDocker = new Option<string?>("--from-docker") { Description = "save this image from the local Docker engine ($DOCKER_HOST) and upload it streamed" };
        var server = new Option<string?>("--server") { Description = "the server the image is for (names the image)" };
        var tenant = CliOptions.Tenant();
        var command = new Command("push", "Upload an image; prints its id (vetted, then loaded)") { file, fromDocker, server, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file);
            var dockerName = parse.GetValue(fromDocker);
            if ((path is null) == (dockerName is null))
            {
                throw new CliException(ExitCodes.Usage, "give either FILE (or - for stdin) or --from-docker NAME.");
            }

            using var api = ApiClient.FromLogin();
            var target = $"v1/tenants/{api.Tenant(parse.GetValue(tenant))}/images"
                         + (parse.GetValue(server) is { } s ? $"?server={Uri.EscapeDataString(s)}" : "");
            using var docker = dockerName is null ? null : LocalDocker();
            await using var source = path switch
            {
                null => await SaveAsync(docker!, dockerName!, cancellationToken),
                "-" => Console.OpenStandardInput(),
                _ => Open(path),
            };
            long? length = source.CanSeek ? source.Length : null;
            var answer = await UploadAsync(api, target, source, length, cancellationToken);
            if (parse.Json())
            {
                Console.Out.WriteLine(answer);
            }
            else
            {
                Console.Out.WriteLine(System.Text.Json.Nodes.JsonNode.Parse(answer)?["image"]?.GetValue<string>());
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<string> UploadAsync(ApiClient api, string target, Stream source, long? length, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        long sent = 0;
        string answer;
        if (Console.IsErrorRedirected)
        {
            answer = await api.SendAsync(HttpMethod.Post, target, Tar(new ProgressContent(source, length, bytes => sent = bytes)), cancellationToken);
        }
        else
        {
            answer = await CliOutput.Stderr().Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("upload", maxValue: length ?? 1);
                    task.IsIndeterminate = length is null;
                    var result = await api.SendAsync(HttpMethod.Post, target, Tar(new ProgressContent(source, length, bytes =>
                    {
                        sent = bytes;
                        task.Value = bytes;
                    })), cancellationToken);
                    task.Value = task.MaxValue;
                    return result;
                });
        }

        var seconds = Math.Max(watch.Elapsed.TotalSeconds, 0.001);
        await Console.Error.WriteLineAsync($"Uploaded {sent} bytes in {seconds:0.0} s ({sent / seconds / 1024 / 1024:0.0} MiB/s).");
        return answer;
    }

    private static ProgressContent Tar(ProgressContent content)
    {
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        return content;
    }

    private static FileStream Open(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"cannot read {path}: {ex.Message}");
        }
    }

    private static DockerClient LocalDocker()
    {
        var endpoint = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : "unix:///var/run/docker.sock";
        return Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            ? new DockerClientConfiguration(uri).CreateClient()
            : throw new CliException(ExitCodes.Usage, $"DOCKER_HOST '{endpoint}' is not a URI such as unix:///var/run/docker.sock.");
    }

    private static async Task<Stream> SaveAsync(DockerClient docker, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await docker.Images.SaveImageAsync(name, cancellationToken);
        }
        catch (DockerImageNotFoundException)
        {
            throw new CliException(ExitCodes.NotFound, $"the local Docker engine has no image '{name}'; build or pull it first.");
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or TimeoutException)
        {
            throw new CliException(ExitCodes.Unavailable, $"cannot save '{name}' from the local Docker engine: {ex.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static Command List()
    {
        var tenant = CliOptions.Tenant();
        var command = new Command("list", "List the tenant's images") { tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            var json = await api.GetAsync($"v1/tenants/{api.Tenant(parse.GetValue(tenant))}/images", cancellationToken);
            CliOutput.List(parse, json, [("IMAGE", "image"), ("REFERENCE", "reference"), ("BYTES", "sizeBytes"), ("CREATED", "createdAt")]);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove()
    {
        var id = new Argument<string>("IMAGE") { Description = "the image id (from image list)" };
        var tenant = CliOptions.Tenant();
        var command = new Command("rm", "Delete an image no server runs") { id, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            await api.DeleteAsync($"v1/tenants/{api.Tenant(parse.GetValue(tenant))}/images/{Uri.EscapeDataString(parse.GetRequiredValue(id))}", cancellationToken);
            await Console.Error.WriteLineAsync($"Deleted image {parse.GetRequiredValue(id)}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
