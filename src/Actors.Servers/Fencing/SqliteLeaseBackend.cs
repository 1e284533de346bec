using Microsoft.Data.Sqlite;

namespace Actors.Servers.Fencing;

/// <summary>
/// SQLite (single node): times are unix milliseconds from the store's clock. Acquisition runs in a
/// <c>BEGIN IMMEDIATE</c> transaction (the database's write lock is taken first), so the upsert and the read of the
/// holder see the same row; SQLite serializes writers, and busy writers are retried by Microsoft.Data.Sqlite up
/// to the command timeout.
/// </summary>
internal sealed class SqliteLeaseBackend(string connectionString, TimeProvider clock) : ILeaseBackend
{
    private long NowMs() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task CreateSchemaAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            CREATE TABLE IF NOT EXISTS domain_leases (
                domain      TEXT    NOT NULL PRIMARY KEY,
                owner       TEXT    NOT NULL,
                expires_at  INTEGER NOT NULL,
                acquired_at INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS domain_leases_owner ON domain_leases (owner);
            """;
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<LeaseResult> TryAcquireAsync(string domain, string owner, long ttlMs, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var tx = connection.BeginTransaction(deferred: false);
        var now = NowMs();
        LeaseResult result;
        await using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = tx;
            upsert.CommandText =
                """
                INSERT INTO domain_leases (domain, owner, expires_at, acquired_at)
                VALUES ($domain, $owner, $expires, $now)
                ON CONFLICT (domain) DO UPDATE
                   SET owner = excluded.owner,
                       expires_at = CASE WHEN domain_leases.owner = excluded.owner
                                         THEN max(domain_leases.expires_at, excluded.expires_at)
                                         ELSE excluded.expires_at END,
                       acquired_at = CASE WHEN domain_leases.owner = excluded.owner AND domain_leases.expires_at > $now
                                          THEN domain_leases.acquired_at ELSE excluded.acquired_at END
                 WHERE domain_leases.expires_at <= $now OR domain_leases.owner = excluded.owner
                RETURNING owner, expires_at
                """;
            upsert.Parameters.AddWithValue("$domain", domain);
            upsert.Parameters.AddWithValue("$owner", owner);
            upsert.Parameters.AddWithValue("$expires", now + ttlMs);
            upsert.Parameters.AddWithValue("$now", now);
            await using var reader = await upsert.ExecuteReaderAsync(ct).ConfigureAwait(false);
            result = await reader.ReadAsync(ct).ConfigureAwait(false)
                ? new LeaseResult(true, reader.GetString(0), FromMs(reader.GetInt64(1)))
                : new LeaseResult(false, null, null);
        }
        if (!result.Granted)
        {
            await using var read = connection.CreateCommand();
            read.Transaction = tx;
            read.CommandText = "SELECT owner, expires_at FROM domain_leases WHERE domain = $domain";
            read.Parameters.AddWithValue("$domain", domain);
            await using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
                result = new LeaseResult(false, reader.GetString(0), FromMs(reader.GetInt64(1)));
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return result;
    }

    // Microsoft.Data.Sqlite's async calls run synchronously, so this blocks the calling thread and no other. The timeout
    // is not enforced here: the keeper counts an answer later than its deadline as failed.
    public int RenewAll(string owner, long ttlMs, TimeSpan timeout)
    {
        var now = NowMs();
        return ExecuteAsync(
            "UPDATE domain_leases SET expires_at = max(expires_at, $expires) WHERE owner = $owner AND expires_at > $now",
            CancellationToken.None, ("$owner", owner), ("$expires", now + ttlMs), ("$now", now)).GetAwaiter().GetResult();
    }

    public Task<int> ReleaseAsync(string domain, string owner, CancellationToken ct) =>
        ExecuteAsync("DELETE FROM domain_leases WHERE domain = $domain AND owner = $owner", ct, ("$domain", domain), ("$owner", owner));

    public Task<int> ReleaseAllAsync(string owner, IReadOnlyCollection<string> keep, CancellationToken ct) =>
        ExecuteAsync("DELETE FROM domain_leases WHERE owner = $owner AND domain NOT IN (SELECT value FROM json_each($keep))", ct,
            ("$owner", owner), ("$keep", System.Text.Json.JsonSerializer.Serialize(keep)));

    public async Task<DomainLease?> GetAsync(string domain, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner, expires_at, acquired_at FROM domain_leases WHERE domain = $domain";
        command.Parameters.AddWithValue("$domain", domain);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return null;
        var expires = reader.GetInt64(1);
        return new DomainLease(domain, reader.GetString(0), FromMs(expires), FromMs(reader.GetInt64(2)), expires <= NowMs());
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
