namespace Smcp.Proxy.Replicas;

/// <summary>Settings of a proxy replica, bound from the <c>Replicas</c> configuration section; off unless <see cref="InternalListen"/> is set.</summary>
public sealed class ReplicaOptions
{
    public const string Section = "Replicas";

    /// <summary>The environment variable that holds the secret every replica signs its forwarded requests with.</summary>
    public const string SecretVariable = "SMCP_REPLICA_SECRET";

    /// <summary>The shortest secret accepted, in characters.</summary>
    public const int MinSecretLength = 32;

    /// <summary>This replica's id: its row in the directory and the <c>smcp.instance</c> label of its sandboxes. Default: smcp.yaml's instanceId.</summary>
    public string? Id { get; set; }

    /// <summary>The listener other replicas forward requests to, e.g. <c>http://127.0.0.1:7801</c> (an explicit port); it takes nothing else.</summary>
    public string? InternalListen { get; set; }

    /// <summary>The address other replicas reach <see cref="InternalListen"/> at, when it differs (a bind on all interfaces of a private network).</summary>
    public string? InternalAddress { get; set; }

    /// <summary>A replica whose heartbeat is older than this counts as gone: its sessions no longer route or count.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a replica renews its lease and sweeps the rows of gone replicas.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a forwarding replica waits to connect to the owner before it answers 404.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A forwarded request's signature is accepted this long after it was made (clock skew between hosts included).</summary>
    public TimeSpan SignatureWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The secret, from <see cref="SecretVariable"/> (never from a file or the command line).</summary>
    public string? Secret { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(InternalListen);

    /// <summary>Where other replicas send this one's forwarded requests.</summary>
    public Uri AdvertisedAddress => new(InternalAddress ?? InternalListen!);

    /// <summary>Every mistake in the settings, each with what to change; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems(IEnumerable<string> publicListen)
    {
        var problems = new List<string>();
        if (Id is not { Length: >= 1 and <= 63 } || Id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            problems.Add($"{Section}:Id '{Id}' is not valid; use 1 to 63 letters, digits, '-', '_' or '.'.");
        }

        if (!Enabled)
        {
            return problems;
        }

        if (!Uri.TryCreate(InternalListen, UriKind.Absolute, out var listen) || listen.Scheme != Uri.UriSchemeHttp || listen.AbsolutePath != "/" || listen.IsDefaultPort
            || listen.Port == 0)
        {
            problems.Add($"{Section}:InternalListen must be http://HOST:PORT with an explicit port that is not 0, e.g. http://127.0.0.1:7801.");
        }
        else if (publicListen.Any(url => Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                     UriKind.Absolute, out var pub) && pub.Port == listen.Port))
        {
            problems.Add($"{Section}:InternalListen must use a port of its own, not one of listen's.");
        }

        if (InternalAddress is null && Uri.TryCreate(InternalListen, UriKind.Absolute, out var bound) && bound.Host is "0.0.0.0" or "[::]" or "*" or "+")
        {
            problems.Add($"{Section}:InternalListen binds every address: set {Section}:InternalAddress to the one other replicas reach it at.");
        }

        if (InternalAddress is not null && (!Uri.TryCreate(InternalAddress, UriKind.Absolute, out var advertised) || advertised.Scheme != Uri.UriSchemeHttp || advertised.AbsolutePath != "/"))
        {
            problems.Add($"{Section}:InternalAddress must be http://HOST:PORT.");
        }

        if (Secret is not { Length: >= MinSecretLength })
        {
            problems.Add($"{SecretVariable} must hold a secret of at least {MinSecretLength} characters, the same on every replica.");
        }

        if (Lease < Heartbeat * 2 || Heartbeat <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:Lease must be at least twice {Section}:Heartbeat, which must be positive.");
        }

        if (ConnectTimeout <= TimeSpan.Zero || SignatureWindow <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:ConnectTimeout and {Section}:SignatureWindow must be positive.");
        }

        return problems;
    }
}
