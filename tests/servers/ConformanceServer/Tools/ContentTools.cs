using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Smcp.Tests.Servers.Conformance.Tools;

/// <summary>
/// Tools whose results exercise each content type (scenarios tools-call-simple-text, -image,
/// -audio, -embedded-resource, -mixed-content) and tool errors (tools-call-error).
/// </summary>
[McpServerToolType]
internal sealed class ContentTools
{
    [McpServerTool(Name = "test_simple_text", ReadOnly = true)]
    [Description("Returns a simple text content block.")]
    public static string SimpleText() => "This is a simple text response for testing.";

    [McpServerTool(Name = "test_image_content", ReadOnly = true)]
    [Description("Returns an image content block (1x1 red PNG).")]
    public static ImageContentBlock ImageContent() => ImageContentBlock.FromBytes(TestData.RedPixelPng, "image/png");

    [McpServerTool(Name = "test_audio_content", ReadOnly = true)]
    [Description("Returns an audio content block (a minimal WAV file).")]
    public static AudioContentBlock AudioContent() => AudioContentBlock.FromBytes(TestData.SilentWav, "audio/wav");

    [McpServerTool(Name = "test_embedded_resource", ReadOnly = true)]
    [Description("Returns an embedded text resource.")]
    public static EmbeddedResourceBlock EmbeddedResource() => new()
    {
        Resource = new TextResourceContents
        {
            Uri = "test://embedded-resource",
            MimeType = "text/plain",
            Text = "This is an embedded resource content.",
        },
    };

    [McpServerTool(Name = "test_multiple_content_types", ReadOnly = true)]
    [Description("Returns text, image and embedded resource content in one result.")]
    public static CallToolResult MultipleContentTypes() => new()
    {
        Content =
        [
            new TextContentBlock { Text = "Multiple content types test:" },
            ImageContentBlock.FromBytes(TestData.RedPixelPng, "image/png"),
            new EmbeddedResourceBlock
            {
                Resource = new TextResourceContents
                {
                    Uri = "test://mixed-content-resource",
                    MimeType = "application/json",
                    Text = """{"test":"data","value":123}""",
                },
            },
        ],
    };

    [McpServerTool(Name = "test_error_handling", ReadOnly = true)]
    [Description("Always fails: returns a tool result with isError set.")]
    public static CallToolResult ErrorHandling() => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = "This tool intentionally returns an error for testing" }],
    };
}
