using Microsoft.Extensions.Options;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Operational limits of the built-in authorization server, bound from the <c>OAuthServer</c> configuration section.</summary>
/// <remarks>Token lifetimes and the switch that turns the server off are smcp.yaml's (<c>oauth:</c>, live); these are the process's own.</remarks>
internal sealed class OAuthServerOptions
{
    public const string Section = "OAuthServer";

    /// <summary>How often the signing keys are re-read, so a rotation made by another process is picked up.</summary>
    public TimeSpan SigningKeyReloadInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The least time between two re-reads caused by a token naming an unknown key id, so random ids cannot make the ring read on every request.</summary>
    public TimeSpan UnknownKeyReloadFloor { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a retired key stays published beyond the access-token lifetime (clock skew, key-set caches).</summary>
    public TimeSpan RetiredKeyGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Clients one tenant may have registered through <c>/register</c>.</summary>
    public int MaxRegisteredClientsPerTenant { get; set; } = 1000;

    /// <summary>Registrations per client address and second, sustained.</summary>
    public int RegistrationsPerClientPerSecond { get; set; } = 1;

    /// <summary>Registrations one address may make at once after a quiet spell.</summary>
    public int RegistrationBurstPerClient { get; set; } = 20;

    /// <summary>Registrations per second from all addresses together.</summary>
    public int RegistrationsPerSecond { get; set; } = 10;

    public int RegistrationBurst { get; set; } = 100;
}

internal sealed class OAuthServerOptionsValidator : IValidateOptions<OAuthServerOptions>
{
    public ValidateOptionsResult Validate(string? name, OAuthServerOptions options)
    {
        var errors = new List<string>();
        if (options.SigningKeyReloadInterval < TimeSpan.FromSeconds(1) || options.SigningKeyReloadInterval > options.RetiredKeyGrace)
        {
            errors.Add($"{OAuthServerOptions.Section}:SigningKeyReloadInterval must be at least 1 s and at most RetiredKeyGrace, so every process sees a rotation before the old key is dropped.");
        }

        if (options.UnknownKeyReloadFloor < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{OAuthServerOptions.Section}:UnknownKeyReloadFloor must be at least 1 s.");
        }

        if (options.MaxRegisteredClientsPerTenant < 1)
        {
            errors.Add($"{OAuthServerOptions.Section}:MaxRegisteredClientsPerTenant must be at least 1.");
        }

        if (options.RegistrationsPerClientPerSecond < 1 || options.RegistrationBurstPerClient < options.RegistrationsPerClientPerSecond
            || options.RegistrationsPerSecond < 1 || options.RegistrationBurst < options.RegistrationsPerSecond)
        {
            errors.Add($"{OAuthServerOptions.Section}:RegistrationsPerClientPerSecond and RegistrationsPerSecond must be at least 1, and each burst at least its rate.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
