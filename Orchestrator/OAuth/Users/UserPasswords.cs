using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Smcp.Orchestrator.OAuth.Users;

/// <summary>Password hashing with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512, its default iteration count).</summary>
internal sealed class UserPasswords
{
    public const int MinLength = 12;

    /// <summary>Longer input is refused before any hashing, so a huge form field cannot buy a long hash computation.</summary>
    public const int MaxLength = 1024;

    private readonly PasswordHasher<OAuthUser> _hasher = new();

    // A hash of a random password, verified against when there is no user (or no usable one), so that an
    // unknown email costs the same hashing time as a known one: existence does not leak by timing.
    private readonly string _dummyHash;

    public UserPasswords() => _dummyHash = _hasher.HashPassword(Placeholder, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    private static OAuthUser Placeholder { get; } = new() { TenantId = "-", Email = "-" };

    /// <summary>Why a new password is not acceptable, or null.</summary>
    public static string? Problem(string? password) => password switch
    {
        null or "" => "No password was given.",
        { Length: < MinLength } => $"The password is too short: at least {MinLength} characters.",
        { Length: > MaxLength } => $"The password is too long: at most {MaxLength} characters.",
        _ => null,
    };

    public string Hash(string password) => _hasher.HashPassword(Placeholder, password);

    public PasswordVerificationResult Verify(string hash, string password) =>
        password.Length > MaxLength ? VerifyNobody(password) : _hasher.VerifyHashedPassword(Placeholder, hash, password);

    /// <summary>Spends the time of one verification and fails.</summary>
    public PasswordVerificationResult VerifyNobody(string password)
    {
        _hasher.VerifyHashedPassword(Placeholder, _dummyHash, password.Length > MaxLength ? password[..MaxLength] : password);
        return PasswordVerificationResult.Failed;
    }
}
