using Microsoft.Extensions.Options;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>Limits of the sign-in pages (configuration section <c>OAuthPages</c>).</summary>
internal sealed class OAuthPagesOptions
{
    public const string Section = "OAuthPages";

    /// <summary>Sign-in attempts one client address may make per minute, on average; each costs a password hash.</summary>
    public int SignInPerClientPerMinute { get; set; } = 10;

    /// <summary>Attempts one address may make at once before the per-minute rate applies.</summary>
    public int SignInBurst { get; set; } = 20;

    /// <summary>Addresses are hashed onto this many buckets, so random source addresses cannot grow the limiter without bound.</summary>
    public int ClientBuckets { get; set; } = 4096;
}

internal sealed class OAuthPagesOptionsValidator : IValidateOptions<OAuthPagesOptions>
{
    public ValidateOptionsResult Validate(string? name, OAuthPagesOptions options)
    {
        var errors = new List<string>();
        if (options.SignInPerClientPerMinute is < 1 or > 6000)
        {
            errors.Add($"{OAuthPagesOptions.Section}:SignInPerClientPerMinute is {options.SignInPerClientPerMinute}; set 1 to 6000.");
        }

        if (options.SignInBurst < 1)
        {
            errors.Add($"{OAuthPagesOptions.Section}:SignInBurst is {options.SignInBurst}; set at least 1.");
        }

        if (options.ClientBuckets < 1)
        {
            errors.Add($"{OAuthPagesOptions.Section}:ClientBuckets is {options.ClientBuckets}; set at least 1.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
