using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace Smcp.Orchestrator.OAuth.Upstream;

/// <summary>The <c>state</c> values of upstream sign-ins already brought back: each callback is taken once, even with its cookie copied.</summary>
/// <remarks>Kept by SHA-256 for the life of a pending sign-in, at most <see cref="MaxEntries"/> (about 1.5 MiB); the provider's single-use code is the second lock.</remarks>
internal sealed class SpentStates : IDisposable
{
    public const int MaxEntries = 16_384;

    private readonly MemoryCache _spent = new(new MemoryCacheOptions { SizeLimit = MaxEntries });
    private readonly Lock _gate = new();

    /// <summary>True the first time a state is spent; false when it was spent before.</summary>
    public bool TrySpend(string state, TimeSpan keepFor)
    {
        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(state)));
        lock (_gate)
        {
            if (_spent.TryGetValue(key, out _))
            {
                return false;
            }

            _spent.Set(key, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = keepFor });
            return true;
        }
    }

    public void Dispose() => _spent.Dispose();
}
