namespace Smcp.Tests.Servers.Conformance;

/// <summary>Fixed binary payloads the scenarios expect (they check presence and MIME type).</summary>
internal static class TestData
{
    /// <summary>A 1x1 red pixel PNG.</summary>
    public static ReadOnlyMemory<byte> RedPixelPng { get; } = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");

    /// <summary>A valid WAV file: 8 kHz, 16-bit mono, one sample of silence.</summary>
    public static ReadOnlyMemory<byte> SilentWav { get; } = Convert.FromBase64String(
        "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQIAAAAAAA==");
}
