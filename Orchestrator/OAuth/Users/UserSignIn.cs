using Microsoft.AspNetCore.Identity;
using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.OAuth.Users;

/// <summary>Checks an email and password, counting failures towards the lockout of <c>oauth.lockoutThreshold</c>.</summary>
/// <remarks>
/// Every refusal is the same null, whatever the reason (no such user, wrong password, locked, disabled),
/// and each path hashes once and writes once, so neither the answer nor its time says whether an account exists.
/// </remarks>
internal sealed class UserSignIn(UserStore store, UserPasswords passwords, ConfigMonitor config, TimeProvider time)
{
    /// <summary>The user's id when the password is right and the account usable; else null.</summary>
    public async Task<Guid?> CheckAsync(string tenantId, string email, string password, CancellationToken cancellationToken)
    {
        var normalized = UserEmail.Normalize(email);
        var user = normalized is null ? null : await store.FindByEmailAsync(tenantId, normalized, cancellationToken);
        var usable = user is { PasswordHash: not null, DisabledAt: null } && !(user.LockedUntil > time.GetUtcNow());
        var verdict = usable ? passwords.Verify(user!.PasswordHash!, password) : passwords.VerifyNobody(password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            // Counted for every refusal, even with no user (Guid.Empty matches no row) or a locked one (the
            // statement skips it): each refusal then costs one lookup, one hash and one update alike.
            var oauth = config.Current.OAuth;
            await store.RecordFailureAsync(tenantId, user?.Id ?? Guid.Empty, oauth.LockoutThreshold, oauth.LockoutDuration, cancellationToken);
            return null;
        }

        var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? passwords.Hash(password) : null;
        await store.RecordSuccessAsync(tenantId, user!.Id, rehash, cancellationToken);
        return user.Id;
    }
}
