using System.Text.Json;

namespace Smcp.Orchestrator.Cli;

/// <summary>
/// The login file, <c>$XDG_CONFIG_HOME/smcp/login.json</c> (else <c>~/.config/smcp/login.json</c>): mode 0600 in a 0700
/// directory. <c>SMCP_URL</c> and <c>SMCP_KEY</c> override what it holds.
/// </summary>
/// <remarks>A file others can read is refused, not used (as ssh does with a private key): the key in it may already have leaked.</remarks>
internal static class LoginStore
{
    private const UnixFileMode LoginFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OthersBits = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The bound on the login file: a URL and a key are far smaller.</summary>
    public const int MaxFileBytes = 16 * 1024;

    public static string DirectoryPath
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            var root = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config")
                : xdg;
            return Path.Combine(root, "smcp");
        }
    }

    public static string FilePath => Path.Combine(DirectoryPath, "login.json");

    public static void Save(StoredLogin login)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new CliException(ExitCodes.Usage, "smcp login keeps its file with Unix permissions; on Windows set SMCP_URL and SMCP_KEY instead.");
        }

        Directory.CreateDirectory(DirectoryPath, DirectoryMode);
        File.SetUnixFileMode(DirectoryPath, DirectoryMode);
        var temporary = FilePath + ".new";
        File.Delete(temporary);
        using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = LoginFileMode }))
        {
            JsonSerializer.Serialize(file, login, CliJsonContext.Default.StoredLogin);
        }

        File.Move(temporary, FilePath, overwrite: true);
    }

    /// <summary>The URL and key to use: the environment's, else the login file's; a usage error when there is none.</summary>
    public static StoredLogin Load()
    {
        var url = Environment.GetEnvironmentVariable("SMCP_URL");
        var key = Environment.GetEnvironmentVariable("SMCP_KEY");
        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(key))
        {
            var stored = ReadFile();
            url = string.IsNullOrEmpty(url) ? stored?.Url : url;
            key = string.IsNullOrEmpty(key) ? stored?.Key : key;
        }

        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(key))
        {
            throw new CliException(ExitCodes.Usage, "not logged in: run `smcp login --url URL`, or set SMCP_URL and SMCP_KEY.");
        }

        return new StoredLogin(CheckUrl(url).ToString(), key);
    }

    /// <summary>An absolute http or https URL without a user, query or fragment; anything else is refused.</summary>
    public static Uri CheckUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException(ExitCodes.Usage, $"'{text}' is not an http:// or https:// URL; give the address smcp serve listens on, e.g. https://smcp.example.com.");
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new CliException(ExitCodes.Usage, "the URL must not carry a user, a query or a fragment; give scheme, host, port and path only.");
        }

        return uri;
    }

    private static StoredLogin? ReadFile()
    {
        var path = FilePath;
        if (!File.Exists(path))
        {
            return null;
        }

        var mode = OperatingSystem.IsWindows() ? 0 : File.GetUnixFileMode(path);
        if ((mode & OthersBits) != 0)
        {
            throw new CliException(ExitCodes.Usage,
                $"{path} can be read or changed by other users (mode {Convert.ToString((int)mode, 8)}); run `chmod 600 {path}` if no one else could have read it, else revoke the key and `smcp login` again.");
        }

        using var file = File.OpenRead(path);
        if (file.Length > MaxFileBytes)
        {
            throw new CliException(ExitCodes.Usage, $"{path} is larger than {MaxFileBytes} bytes; remove it and `smcp login` again.");
        }

        try
        {
            return JsonSerializer.Deserialize(file, CliJsonContext.Default.StoredLogin);
        }
        catch (JsonException)
        {
            throw new CliException(ExitCodes.Usage, $"{path} is not a login file smcp wrote; remove it and `smcp login` again.");
        }
    }
}
