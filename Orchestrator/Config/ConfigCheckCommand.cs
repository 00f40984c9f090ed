using System.Globalization;

namespace Smcp.Orchestrator.Config;

/// <summary><c>smcp config check FILE</c>: validates smcp.yaml without starting anything.</summary>
internal static class ConfigCheckCommand
{
    public const int Valid = 0;
    public const int Invalid = 1;
    public const int Unreadable = 2;

    /// <summary>0 and "FILE: OK (N tenants)" on stdout; 1 and each mistake on its own line on stderr; 2 when the file cannot be read.</summary>
    public static int Run(string path, TextWriter stdout, TextWriter stderr)
    {
        if (!ConfigLoader.TryRead(path, out var bytes, out var problem))
        {
            stderr.WriteLine($"smcp config check: {problem}");
            return Unreadable;
        }

        var result = ConfigLoader.Parse(bytes, path);
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
            {
                stderr.WriteLine(error.ToString());
            }

            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}"));
            return Invalid;
        }

        var count = result.Config.Tenants.Count;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: OK ({count} tenant{(count == 1 ? "" : "s")})"));
        return Valid;
    }
}
