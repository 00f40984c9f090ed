using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Smcp.Tests.Servers.Conformance.Prompts;

/// <summary>
/// Prompts for scenarios prompts-list, prompts-get-simple, prompts-get-with-args,
/// prompts-get-embedded-resource and prompts-get-with-image.
/// </summary>
[McpServerPromptType]
internal sealed class ConformancePrompts
{
    [McpServerPrompt(Name = "test_simple_prompt")]
    [Description("A simple prompt without arguments.")]
    public static PromptMessage SimplePrompt() => User("This is a simple prompt for testing.");

    [McpServerPrompt(Name = "test_prompt_with_arguments")]
    [Description("A prompt that substitutes two arguments.")]
    public static PromptMessage PromptWithArguments(
        [Description("First test argument")] string arg1,
        [Description("Second test argument")] string arg2) =>
        User($"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'");

    [McpServerPrompt(Name = "test_prompt_with_embedded_resource")]
    [Description("A prompt that embeds a resource.")]
    public static PromptMessage[] PromptWithEmbeddedResource(
        [Description("URI of the resource to embed")] string resourceUri) =>
    [
        new()
        {
            Role = Role.User,
            Content = new EmbeddedResourceBlock
            {
                Resource = new TextResourceContents
                {
                    Uri = resourceUri,
                    MimeType = "text/plain",
                    Text = "Embedded resource content for testing.",
                },
            },
        },
        User("Please process the embedded resource above."),
    ];

    [McpServerPrompt(Name = "test_prompt_with_image")]
    [Description("A prompt that contains an image.")]
    public static PromptMessage[] PromptWithImage() =>
    [
        new() { Role = Role.User, Content = ImageContentBlock.FromBytes(TestData.RedPixelPng, "image/png") },
        User("Please analyze the image above."),
    ];

    private static PromptMessage User(string text) => new() { Role = Role.User, Content = new TextContentBlock { Text = text } };
}
