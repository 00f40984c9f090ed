namespace Smcp.Orchestrator.Config;

/// <summary>A tenant's <c>signIn:</c>: how its people sign in to the built-in issuer's pages.</summary>
internal sealed record SignInConfig
{
    public static readonly SignInConfig Default = new();

    /// <summary>Whether the sign-in page offers the email and password form (users from <c>smcp user add</c>).</summary>
    public bool Passwords { get; init; } = true;

    /// <summary>The tenant's own OpenID provider the page can send people to; null when there is none.</summary>
    public UpstreamProviderConfig? Upstream { get; init; }
}

/// <summary>An OpenID provider a tenant signs its people in with (code flow with PKCE, as a confidential or a public client).</summary>
internal sealed record UpstreamProviderConfig
{
    /// <summary>The provider's exact issuer; its discovery document is read from <c>{issuer}/.well-known/openid-configuration</c>.</summary>
    public required string Issuer { get; init; }

    public required string ClientId { get; init; }

    /// <summary>Where the client secret is read from when a sign-in starts; null for a public client.</summary>
    public SecretSource? ClientSecret { get; init; }

    /// <summary>The scopes asked for; <c>openid</c> is always among them.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = ["openid", "email"];

    /// <summary>The ID token claim whose value is the tenant user's email; with <c>email</c>, <c>email_verified</c> must be true.</summary>
    public string Claim { get; init; } = "email";

    /// <summary>The text of the page's button, "Sign in with …".</summary>
    public required string DisplayName { get; init; }

    /// <summary>Whether a plain-http issuer is allowed (loopback test setups); https otherwise.</summary>
    public bool AllowHttp { get; init; }
}

/// <summary>A secret named in smcp.yaml by where it lives, never by its value: an environment variable or a file.</summary>
internal sealed record SecretSource(string? Variable, string? File)
{
    /// <summary>Longer secrets are refused: no client secret is anywhere near this long.</summary>
    public const int MaxBytes = 4096;

    /// <summary>The secret, trimmed of a final line break; null when its variable or file is gone, empty or over <see cref="MaxBytes"/>.</summary>
    /// <param name="environment">Where a variable is looked up: the process's environment, or a test's.</param>
    public string? Read(Func<string, string?> environment)
    {
        string? value;
        if (Variable is not null)
        {
            value = environment(Variable);
        }
        else
        {
            var info = new FileInfo(File!);
            value = info.Exists && info.Length <= MaxBytes ? System.IO.File.ReadAllText(info.FullName) : null;
        }

        value = value?.TrimEnd('\r', '\n');
        return string.IsNullOrEmpty(value) || value.Length > MaxBytes ? null : value;
    }

    public override string ToString() => Variable is not null ? "$" + Variable : File!;
}
