using System.Text;
using Spectre.Console;

namespace Smcp.Orchestrator.Cli;

/// <summary>A key or a secret value: one line of stdin when it is redirected, else a prompt on stderr that does not echo. Never an argument (it would sit in the shell history and the process list).</summary>
internal static class SecretInput
{
    /// <summary>The bound on what is read: a secret value the API takes is at most this long.</summary>
    public const int MaxBytes = 64 * 1024;

    public static string Read(string label)
    {
        var value = Console.IsInputRedirected
            ? ReadLine(Console.OpenStandardInput())
            : CliOutput.Stderr().Prompt(new TextPrompt<string>($"{label}:").Secret(null));
        return string.IsNullOrEmpty(value)
            ? throw new CliException(ExitCodes.Usage, $"no {label.ToLowerInvariant()} given: type it at the prompt or pipe it on stdin.")
            : value;
    }

    private static string ReadLine(Stream input)
    {
        var bytes = new List<byte>();
        int next;
        while ((next = input.ReadByte()) is >= 0 and not '\n')
        {
            if (bytes.Count == MaxBytes)
            {
                throw new CliException(ExitCodes.Invalid, $"the value on stdin is longer than {MaxBytes} bytes.");
            }

            bytes.Add((byte)next);
        }

        return Encoding.UTF8.GetString(bytes.ToArray()).TrimEnd('\r');
    }
}
