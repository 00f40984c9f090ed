using System.ComponentModel;
using System.Text;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static ModelContextProtocol.Protocol.ElicitRequestParams;

namespace Smcp.Tests.Servers.Conformance.Tools;

/// <summary>
/// Tools that ask the client for user input with elicitation/create: scenarios
/// tools-call-elicitation, elicitation-sep1034-defaults and elicitation-sep1330-enums.
/// </summary>
[McpServerToolType]
internal sealed class ElicitationTools
{
    [McpServerTool(Name = "test_elicitation")]
    [Description("Asks the user (elicitation/create) for a username and an email address.")]
    public static Task<CallToolResult> Elicitation(
        McpServer server,
        [Description("The message to show the user")] string message,
        CancellationToken cancellationToken)
    {
        var schema = new RequestSchema
        {
            Properties =
            {
                ["username"] = new StringSchema { Description = "User's response" },
                ["email"] = new StringSchema { Description = "User's email address" },
            },
            Required = ["username", "email"],
        };
        return ElicitAsync(server, message, schema, "User response: ", cancellationToken);
    }

    [McpServerTool(Name = "test_elicitation_sep1034_defaults")]
    [Description("Elicitation whose schema carries default values for every primitive type (SEP-1034).")]
    public static Task<CallToolResult> ElicitationDefaults(McpServer server, CancellationToken cancellationToken)
    {
        var schema = new RequestSchema
        {
            Properties =
            {
                ["name"] = new StringSchema { Description = "User name", Default = "John Doe" },
                ["age"] = new NumberSchema { Type = "integer", Description = "User age", Default = 30 },
                ["score"] = new NumberSchema { Description = "User score", Default = 95.5 },
                ["status"] = new UntitledSingleSelectEnumSchema
                {
                    Description = "User status",
                    Enum = ["active", "inactive", "pending"],
                    Default = "active",
                },
                ["verified"] = new BooleanSchema { Description = "Verification status", Default = true },
            },
        };
        return ElicitAsync(
            server, "Please review and update the form fields with defaults", schema, "Elicitation completed: ", cancellationToken);
    }

    [McpServerTool(Name = "test_elicitation_sep1330_enums")]
    [Description("Elicitation with all five enum schema variants (SEP-1330).")]
    public static Task<CallToolResult> ElicitationEnums(McpServer server, CancellationToken cancellationToken)
    {
        var schema = new RequestSchema
        {
            Properties =
            {
                ["untitledSingle"] = new UntitledSingleSelectEnumSchema
                {
                    Description = "Untitled single-select",
                    Enum = ["option1", "option2", "option3"],
                },
                ["titledSingle"] = new TitledSingleSelectEnumSchema
                {
                    Description = "Titled single-select",
                    OneOf =
                    [
                        new EnumSchemaOption { Const = "value1", Title = "First Option" },
                        new EnumSchemaOption { Const = "value2", Title = "Second Option" },
                        new EnumSchemaOption { Const = "value3", Title = "Third Option" },
                    ],
                },
                // Deprecated enumNames form: exactly what the scenario checks.
                ["legacyEnum"] = new LegacyTitledEnumSchema
                {
                    Description = "Legacy titled enum",
                    Enum = ["opt1", "opt2", "opt3"],
                    EnumNames = ["Option One", "Option Two", "Option Three"],
                },
                ["untitledMulti"] = new UntitledMultiSelectEnumSchema
                {
                    Description = "Untitled multi-select",
                    Items = new UntitledEnumItemsSchema { Enum = ["option1", "option2", "option3"] },
                },
                ["titledMulti"] = new TitledMultiSelectEnumSchema
                {
                    Description = "Titled multi-select",
                    Items = new TitledEnumItemsSchema
                    {
                        AnyOf =
                        [
                            new EnumSchemaOption { Const = "value1", Title = "First Choice" },
                            new EnumSchemaOption { Const = "value2", Title = "Second Choice" },
                            new EnumSchemaOption { Const = "value3", Title = "Third Choice" },
                        ],
                    },
                },
            },
        };
        return ElicitAsync(server, "Please select options from the enum fields", schema, "Elicitation completed: ", cancellationToken);
    }

    private static async Task<CallToolResult> ElicitAsync(
        McpServer server, string message, RequestSchema schema, string prefix, CancellationToken cancellationToken)
    {
        if (server.ClientCapabilities?.Elicitation is null)
        {
            return InteractionTools.Error("The client does not support elicitation.");
        }

        var result = await server.ElicitAsync(
            new ElicitRequestParams { Message = message, RequestedSchema = schema }, cancellationToken).ConfigureAwait(false);

        var text = new StringBuilder(prefix).Append("action=").Append(result.Action).Append(", content={");
        var first = true;
        foreach (var (key, value) in result.Content ?? new Dictionary<string, System.Text.Json.JsonElement>())
        {
            text.Append(first ? "" : ",").Append('"').Append(key).Append("\":").Append(value.GetRawText());
            first = false;
        }

        return InteractionTools.Text(text.Append('}').ToString());
    }
}
