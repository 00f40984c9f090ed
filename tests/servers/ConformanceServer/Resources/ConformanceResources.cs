using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Smcp.Tests.Servers.Conformance.Resources;

/// <summary>
/// Resources and the resource template that scenarios resources-list, resources-read-text,
/// resources-read-binary and resources-templates-read read; test://watched-resource is the one
/// resources-subscribe/-unsubscribe subscribe to.
/// </summary>
[McpServerResourceType]
internal sealed class ConformanceResources
{
    [McpServerResource(UriTemplate = "test://static-text", Name = "static-text", MimeType = "text/plain")]
    [Description("A static text resource.")]
    public static TextResourceContents StaticText() => new()
    {
        Uri = "test://static-text",
        MimeType = "text/plain",
        Text = "This is the content of the static text resource.",
    };

    [McpServerResource(UriTemplate = "test://static-binary", Name = "static-binary", MimeType = "image/png")]
    [Description("A static binary resource (1x1 red PNG).")]
    public static BlobResourceContents StaticBinary() =>
        BlobResourceContents.FromBytes(TestData.RedPixelPng, "test://static-binary", "image/png");

    [McpServerResource(UriTemplate = "test://watched-resource", Name = "watched-resource", MimeType = "text/plain")]
    [Description("A resource clients may subscribe to.")]
    public static TextResourceContents Watched() => new()
    {
        Uri = "test://watched-resource",
        MimeType = "text/plain",
        Text = "This resource can be watched with resources/subscribe.",
    };

    [McpServerResource(UriTemplate = "test://template/{id}/data", Name = "template-data", MimeType = "application/json")]
    [Description("A resource template: substitutes {id} into the content.")]
    public static TextResourceContents TemplateData([Description("The item id")] string id) => new()
    {
        Uri = $"test://template/{id}/data",
        MimeType = "application/json",
        Text = $$"""{"id":"{{id}}","templateTest":true,"data":"Data for ID: {{id}}"}""",
    };
}
