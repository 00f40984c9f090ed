using Docker.DotNet.Models;

namespace Smcp.Sandbox.Engine;

/// <summary>Collects what the engine reports while it loads an image: its output lines and the first error.</summary>
internal sealed class LoadProgress : IProgress<JSONMessage>
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    public string? Error { get; private set; }

    public void Report(JSONMessage value)
    {
        lock (_lock)
        {
            if (!string.IsNullOrEmpty(value.ErrorMessage) || value.Error is not null)
            {
                Error ??= value.Error?.Message ?? value.ErrorMessage;
            }

            if (!string.IsNullOrEmpty(value.Stream))
            {
                _lines.Add(value.Stream);
            }
        }
    }

    /// <summary>The first line of an engine error body (its JSON "message" when it has one).</summary>
    public static string? FirstLine(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        var text = body.Trim();
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(text);
            if (json.RootElement.TryGetProperty("message", out var message))
            {
                text = message.GetString() ?? text;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: use the body as it is.
        }

        return text.Split('\n')[0].TrimEnd('.');
    }
}
