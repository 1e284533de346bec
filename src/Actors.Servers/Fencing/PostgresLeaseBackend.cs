using Npgsql;

namespace Actors.Servers.Fencing;

/// <summary>
/// PostgreSQL: all times are the database's <c>clock_timestamp()</c>. Acquisition is one upsert whose
/// <c>ON CONFLICT ... DO UPDATE ... WHERE</c> decides atomically; when it does not update, the conflicting row
/// stays locked until the transaction ends, so the follow-up read of the holder is consistent.
/// </summary>
internal sealed class PostgresLeaseBackend(string connectionString) : ILeaseBackend
{
    // Serializes concurrent CREATE TABLE IF NOT EXISTS from several nodes (which can otherwise fail with a
    // unique violation on pg_type). Arbitrary constant: "domain_leases" schema lock.
    private const long SchemaLockKey = 0x646f6d5f6c656173;

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);
    // Renewals: one connection of their own (see DomainLeaseStore.RenewAll), made on first use with its timeout.
    private NpgsqlDataSource? _renewals;

    public async Task CreateSchemaAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(
            $"""
            SELECT pg_advisory_xact_lock({SchemaLockKey});
            CREATE TABLE IF NOT EXISTS domain_leases (
                domain      text        PRIMARY KEY,
                owner       text        NOT NULL,
                expires_at  timestamptz NOT NULL,
                acquired_at timestamptz NOT NULL
            );
            CREATE INDEX IF NOT EXISTS domain_leases_owner ON domain_leases (owner);
            """, connection, tx))
        {
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    public async Task<LeaseResult> TryAcquireAsync(string domain, string owner, long ttlMs, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        LeaseResult result;
        await using (var upsert = new NpgsqlCommand(
            """
            INSERT INTO domain_leases AS l (domain, owner, expires_at, acquired_at)
            VALUES (@domain, @owner, clock_timestamp() + @ttl_ms * interval '1 millisecond', clock_timestamp())
            ON CONFLICT (domain) DO UPDATE
               SET owner = excluded.owner,
                   expires_at = CASE WHEN l.owner = excluded.owner THEN greatest(l.expires_at, excluded.expires_at)
                                     ELSE excluded.expires_at END,
                   acquired_at = CASE WHEN l.owner = excluded.owner AND l.expires_at > clock_timestamp()
                                      THEN l.acquired_at ELSE excluded.acquired_at END
             WHERE l.expires_at <= clock_timestamp() OR l.owner = excluded.owner
            RETURNING owner, expires_at
            """, connection, tx))
        {
            upsert.Parameters.AddWithValue("domain", domain);
            upsert.Parameters.AddWithValue("owner", owner);
            upsert.Parameters.AddWithValue("ttl_ms", ttlMs);
            await using var reader = await upsert.ExecuteReaderAsync(ct).ConfigureAwait(false);
            result = await reader.ReadAsync(ct).ConfigureAwait(false)
                ? new LeaseResult(true, reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1))
                : new LeaseResult(false, null, null);
        }
        if (!result.Granted)
        {
            // The upsert locked the conflicting row: it is still there and still someone else's.
            await using var read = new NpgsqlCommand("SELECT owner, expires_at FROM domain_leases WHERE domain = @domain", connection, tx);
            read.Parameters.AddWithValue("domain", domain);
            await using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
                result = new LeaseResult(false, reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1));
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return result;
    }

    public int RenewAll(string owner, long ttlMs, TimeSpan timeout)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        _renewals ??= NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 1, Timeout = seconds });
        try
        {
            using var connection = _renewals.OpenConnection();
            using var command = new NpgsqlCommand(
                """
                UPDATE domain_leases
                   SET expires_at = greatest(expires_at, clock_timestamp() + @ttl_ms * interval '1 millisecond')
                 WHERE owner = @owner AND expires_at > clock_timestamp()
                """, connection) { CommandTimeout = seconds };
            command.Parameters.AddWithValue("owner", owner);
            command.Parameters.AddWithValue("ttl_ms", ttlMs);
            return command.ExecuteNonQuery();
        }
        catch (NpgsqlException ex) when (ex.InnerException is TimeoutException)
        {
            throw new TimeoutException($"no answer within {seconds} s", ex);
        }
    }

    public async Task<int> ReleaseAsync(string domain, string owner, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM domain_leases WHERE domain = @domain AND owner = @owner");
        command.Parameters.AddWithValue("domain", domain);
        command.Parameters.AddWithValue("owner", owner);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<int> ReleaseAllAsync(string owner, IReadOnlyCollection<string> keep, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM domain_leases WHERE owner = @owner AND NOT (domain = ANY(@keep))");
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("keep", keep.ToArray());
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<DomainLease?> GetAsync(string domain, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT owner, expires_at, acquired_at, expires_at <= clock_timestamp() FROM domain_leases WHERE domain = @domain");
        command.Parameters.AddWithValue("domain", domain);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return null;
        return new DomainLease(domain, reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1),
            reader.GetFieldValue<DateTimeOffset>(2), reader.GetBoolean(3));
    }

    public async ValueTask DisposeAsync()
    {
        if (_renewals is { } renewals) await renewals.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
