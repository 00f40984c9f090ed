using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Smcp.Tests.Servers.Conformance;

/// <summary>
/// completion/complete (scenario completion-complete): suggestions for the arguments of
/// test_prompt_with_arguments and the {id} of test://template/{id}/data, filtered by prefix.
/// </summary>
internal static class Completions
{
    private static readonly string[] PromptArgValues = ["paris", "park", "party", "test", "testValue1", "testValue2"];
    private static readonly string[] TemplateIds = ["1", "2", "3", "123"];

    public static ValueTask<CompleteResult> CompleteAsync(
        RequestContext<CompleteRequestParams> context, CancellationToken cancellationToken)
    {
        var p = context.Params;
        string[] candidates = p?.Ref switch
        {
            PromptReference { Name: "test_prompt_with_arguments" } when p.Argument.Name is "arg1" or "arg2" => PromptArgValues,
            ResourceTemplateReference { Uri: "test://template/{id}/data" } when p.Argument.Name == "id" => TemplateIds,
            _ => [],
        };

        var prefix = p?.Argument.Value ?? "";
        var values = candidates.Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList();
        return ValueTask.FromResult(new CompleteResult
        {
            Completion = new Completion { Values = values, Total = values.Count, HasMore = false },
        });
    }
}
