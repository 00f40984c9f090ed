using System.Text;
using Npgsql;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.OAuth.Users;

/// <summary><c>smcp user add --tenant T --email E [--no-password]</c>: creates a sign-in user of the built-in issuer and prints its id.</summary>
/// <remarks>The password never comes from the command line (it would sit in the shell history and the process list): one line of stdin, or a prompt without echo on a terminal.</remarks>
internal static class UserAddCommand
{
    public const int UnknownTenant = 2;
    public const int BadEmail = 3;
    public const int BadPassword = 4;
    public const int EmailTaken = 5;
    public const int NoUpstream = 6;

    /// <param name="readPassword">The password, or null when none was given (end of input, or the prompt abandoned); null itself for <c>--no-password</c>: a user who signs in through the tenant's upstream provider only.</param>
    public static async Task<int> RunAsync(
        SmcpConfig config, string tenant, string email, Func<string?>? readPassword, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (config.FindTenant(tenant) is not { } tenantConfig)
        {
            await error.WriteLineAsync($"smcp: tenant '{tenant}' is not in smcp.yaml.");
            return UnknownTenant;
        }

        if (readPassword is null && tenantConfig.SignIn.Upstream is null)
        {
            await error.WriteLineAsync($"smcp: tenant '{tenant}' has no signIn.upstream provider in smcp.yaml, so a user without a password could never sign in.");
            return NoUpstream;
        }

        if (UserEmail.Normalize(email) is null)
        {
            await error.WriteLineAsync($"smcp: '{email}' is not an email address a user can have (local@domain, at most {UserEmail.MaxLength} characters).");
            return BadEmail;
        }

        var password = readPassword?.Invoke();
        if (readPassword is not null && UserPasswords.Problem(password) is { } problem)
        {
            await error.WriteLineAsync($"smcp: {problem}");
            return BadPassword;
        }

        if (config.Postgres.ConnectionString is not { } connectionString)
        {
            await error.WriteLineAsync($"smcp: postgres.connectionString is not set (or {PostgresConfig.AppVariable}).");
            return 1;
        }

        try
        {
            await using var source = NpgsqlDataSource.Create(connectionString);
            var store = new UserStore(new TenantDb(source), new UserPasswords(), TimeProvider.System);
            var created = await store.CreateAsync(tenant, email, password, cancellationToken);
            switch (created.Outcome)
            {
                case StoreOutcome.Ok:
                    await output.WriteLineAsync(created.Value!.Id.ToString());
                    return 0;
                case StoreOutcome.Conflict:
                    await error.WriteLineAsync($"smcp: tenant '{tenant}' already has a user '{UserEmail.Normalize(email)}'.");
                    return EmailTaken;
                default:
                    await error.WriteLineAsync($"smcp: tenant '{tenant}' is not in the database yet: start smcp serve once with it in smcp.yaml.");
                    return UnknownTenant;
            }
        }
        catch (NpgsqlException ex)
        {
            await error.WriteLineAsync($"smcp: the database refused: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Asks twice on the terminal without echo; null when the two differ or the prompt is abandoned (Ctrl+C, Escape).</summary>
    public static string? PromptWithoutEcho(TextWriter prompt)
    {
        var first = ReadHidden(prompt, "Password: ");
        if (first is null)
        {
            return null;
        }

        var second = ReadHidden(prompt, "Repeat password: ");
        if (second != first)
        {
            prompt.WriteLine("smcp: the passwords differ.");
            return null;
        }

        return first;
    }

    private static string? ReadHidden(TextWriter prompt, string label)
    {
        prompt.Write(label);
        var typed = new StringBuilder();
        var treatControlC = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        try
        {
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                switch (key)
                {
                    case { Key: ConsoleKey.Enter }:
                        prompt.WriteLine();
                        return typed.ToString();
                    case { Key: ConsoleKey.Escape }:
                    case { Key: ConsoleKey.C, Modifiers: ConsoleModifiers.Control }:
                        prompt.WriteLine();
                        return null;
                    case { Key: ConsoleKey.Backspace }:
                        typed.Length = Math.Max(0, typed.Length - 1);
                        break;
                    default:
                        if (!char.IsControl(key.KeyChar) && typed.Length < UserPasswords.MaxLength + 1)
                        {
                            typed.Append(key.KeyChar);
                        }

                        break;
                }
            }
        }
        finally
        {
            Console.TreatControlCAsInput = treatControlC;
        }
    }
}
