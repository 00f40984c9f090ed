using System.CommandLine;
using Smcp.Orchestrator.Auth;

namespace Smcp.Orchestrator.Cli;

/// <summary><c>smcp login --url U</c>: checks a key against the API and keeps URL and key in the login file.</summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "the smcp API, e.g. https://smcp.example.com", Required = true };
        var command = new Command("login", "Check an API key (asked without echo, or one line of stdin) and store it with the URL (mode 0600)") { url };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var address = LoginStore.CheckUrl(parse.GetRequiredValue(url));
            var key = SecretInput.Read("API key");
            var login = new StoredLogin(address.ToString(), key);
            using var api = new ApiClient(login);
            var tenant = ApiKeyFormat.TenantOf(key);
            try
            {
                await api.GetAsync(tenant is null ? "v1/admin/tenants" : $"v1/tenants/{tenant}/servers", cancellationToken);
            }
            catch (CliException refused) when (refused.ExitCode == ExitCodes.Refused)
            {
                throw new CliException(ExitCodes.Refused, $"{address} refused this key, nothing was stored: {refused.Message}");
            }

            LoginStore.Save(login);
            await Console.Error.WriteLineAsync($"Logged in to {address} as {(tenant is null ? "the platform admin" : $"tenant {tenant}")}; stored in {LoginStore.FilePath}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
