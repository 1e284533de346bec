namespace Actors.Servers.Fencing;

/// <summary>
/// Per-domain leases in the cluster's database (table <c>domain_leases</c>), the second layer of invariant 1:
/// a server runs a domain's VMM only while it holds the domain's lease; it renews all its leases every
/// <see cref="FencingSettings.RenewInterval"/> (<see cref="LeaseKeeper"/>), and a watchdog outside the host kills
/// its VMMs when renewals stop, before the leases expire and another server can acquire them.
/// <para>
/// PostgreSQL (<c>"PostgreSQL.15"</c>, shared by all nodes): every time is the database's
/// <c>clock_timestamp()</c>, so clock skew between servers does not matter. SQLite (<c>"SQLite.MS"</c>, one node):
/// the store's <see cref="TimeProvider"/>, stored as unix milliseconds.
/// </para>
/// A lease is valid while <c>now &lt; expires_at</c>. Granting and extending never shorten a lease.
/// The table is created on first use (idempotent; safe when several nodes start at once).
/// </summary>
public sealed class DomainLeaseStore : IAsyncDisposable, IDisposable
{
    public const string SqliteProvider = "SQLite.MS";
    public const string PostgresProvider = "PostgreSQL.15";

    private readonly ILeaseBackend _backend;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    /// <param name="connectionString">ADO.NET connection string of the cluster's database.</param>
    /// <param name="providerName"><c>"SQLite.MS"</c> or <c>"PostgreSQL.15"</c> (as in Cluster.Host's DatabaseSetup).</param>
    /// <param name="clock">SQLite only: the clock that judges expiry (tests may pass a fake one). Default: system.</param>
    public DomainLeaseStore(string connectionString, string providerName, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ProviderName = providerName;
        _backend = providerName switch
        {
            SqliteProvider => new SqliteLeaseBackend(connectionString, clock ?? TimeProvider.System),
            PostgresProvider => new PostgresLeaseBackend(connectionString),
            _ => throw new ArgumentException(
                $"provider '{providerName}' is not supported for domain leases; use '{SqliteProvider}' or '{PostgresProvider}'",
                nameof(providerName)),
        };
    }

    public string ProviderName { get; }

    /// <summary>Creates <c>domain_leases</c> if missing. Called by every operation; call it at startup to fail early.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        if (_schemaReady) return;
        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady) return;
            await _backend.CreateSchemaAsync(cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    /// <summary>
    /// Grants <paramref name="domain"/>'s lease to <paramref name="owner"/> for <paramref name="ttl"/>, atomically, iff
    /// there is no lease, the lease has expired, or <paramref name="owner"/> already holds it (then it is extended,
    /// never shortened).
    /// </summary>
    public async Task<LeaseResult> TryAcquireAsync(string domain, string owner, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        var ttlMs = TtlMilliseconds(ttl);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await _backend.TryAcquireAsync(domain, owner, ttlMs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Extends every unexpired lease of <paramref name="owner"/> to now + <paramref name="ttl"/> (never shorter than it
    /// was) in one statement. An expired lease is not revived: it must be acquired again. Returns how many were renewed.
    /// Synchronous, on a connection of its own, for the <see cref="LeaseKeeper"/>'s own thread: a renewal must not wait
    /// behind a busy node's work (thousands of domains recovering and acquiring leases) for the thread pool or for a
    /// pooled connection. Throws <see cref="TimeoutException"/> when the database did not answer within
    /// <paramref name="timeout"/> (rounded up to whole seconds on PostgreSQL).
    /// </summary>
    public int RenewAll(string owner, TimeSpan ttl, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        var ttlMs = TtlMilliseconds(ttl);
        if (!_schemaReady) EnsureSchemaAsync().GetAwaiter().GetResult();
        return _backend.RenewAll(owner, ttlMs, timeout);
    }

    /// <summary>Deletes <paramref name="domain"/>'s lease if <paramref name="owner"/> holds it (expired or not). True if a row went.</summary>
    public async Task<bool> ReleaseAsync(string domain, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await _backend.ReleaseAsync(domain, owner, cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>Deletes every lease row of <paramref name="owner"/> but those of the domains in <paramref name="keep"/>. Returns how many.</summary>
    public async Task<int> ReleaseAllAsync(string owner, IReadOnlyCollection<string>? keep = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await _backend.ReleaseAllAsync(owner, keep ?? [], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The row of <paramref name="domain"/>, expired or not (see <see cref="DomainLease.Expired"/>); null if none.</summary>
    public async Task<DomainLease?> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await _backend.GetAsync(domain, cancellationToken).ConfigureAwait(false);
    }

    private static long TtlMilliseconds(TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero || ttl > TimeSpan.FromDays(1))
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "lease ttl must be positive and at most one day");
        return Math.Max(1, (long)ttl.TotalMilliseconds);
    }

    public ValueTask DisposeAsync()
    {
        _schemaGate.Dispose();
        return _backend.DisposeAsync();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}

internal interface ILeaseBackend : IAsyncDisposable
{
    Task CreateSchemaAsync(CancellationToken ct);
    Task<LeaseResult> TryAcquireAsync(string domain, string owner, long ttlMs, CancellationToken ct);
    int RenewAll(string owner, long ttlMs, TimeSpan timeout);
    Task<int> ReleaseAsync(string domain, string owner, CancellationToken ct);
    Task<int> ReleaseAllAsync(string owner, IReadOnlyCollection<string> keep, CancellationToken ct);
    Task<DomainLease?> GetAsync(string domain, CancellationToken ct);
}
