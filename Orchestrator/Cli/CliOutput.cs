using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Smcp.Orchestrator.Cli;

/// <summary>Listings as a table on stdout (or the API's JSON as it came with <c>--output json</c>); messages on stderr.</summary>
internal static class CliOutput
{
    /// <summary>The width of a table when stdout is not a terminal, so piped tables are not wrapped at 80 columns.</summary>
    private const int PipedWidth = 240;

    public static IAnsiConsole Stdout()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = PipedWidth;
        }

        return console;
    }

    public static IAnsiConsole Stderr() => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>Writes <paramref name="json"/> (an array of objects, or an object holding one at <paramref name="arrayProperty"/>) as a table of <paramref name="columns"/> (header, property).</summary>
    public static void List(ParseResult parse, string json, (string Header, string Property)[] columns, string? arrayProperty = null)
    {
        if (parse.Json())
        {
            Console.Out.WriteLine(json);
            return;
        }

        var node = JsonNode.Parse(json);
        var rows = (arrayProperty is null ? node : node?[arrayProperty]) as JsonArray ?? [];
        var table = new Table().Border(TableBorder.Simple);
        foreach (var (header, _) in columns)
        {
            table.AddColumn(header);
        }

        foreach (var row in rows)
        {
            table.AddRow(columns.Select(c => Markup.Escape(Text(row?[c.Property]))).ToArray());
        }

        Stdout().Write(table);
    }

    public static string Text(JsonNode? value) => value switch
    {
        null => "",
        JsonArray array => string.Join(' ', array.Select(Text)),
        JsonObject obj => string.Join(' ', obj.Select(p => $"{p.Key}={Text(p.Value)}")),
        _ => value.ToString(),
    };
}
