using System.Collections.Concurrent;

namespace Cluster.Host.Auth;

/// <summary>
/// Remembers valid tokens for a few seconds, so that a request does not cost a database query and a short database
/// outage (a PostgreSQL restart) does not turn away callers already seen. Unknown tokens are never remembered (a new
/// token works at once); a revocation is immediate on the node that made it and takes <see cref="Ttl"/> elsewhere.
/// </summary>
public sealed class CallerCache(TokenStore store)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (Caller Caller, DateTime Until)> _callers = new(StringComparer.Ordinal);

    public async Task<Caller?> FindAsync(string token, CancellationToken ct)
    {
        var hash = ApiToken.Hash(token);
        var now = DateTime.UtcNow;
        if (_callers.TryGetValue(hash, out var known) && known.Until > now) return known.Caller;
        var caller = await store.FindAsync(token, ct);
        if (caller is null) _callers.TryRemove(hash, out _);
        else _callers[hash] = (caller, now + Ttl);
        return caller;
    }

    /// <summary>Forgets every token: after a revocation on this node.</summary>
    public void Clear() => _callers.Clear();
}
