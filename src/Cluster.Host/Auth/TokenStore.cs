using System.Data.Common;
using Cluster.Host.Audit;

namespace Cluster.Host.Auth;

/// <summary>A token as the API lists it: never its secret.</summary>
public sealed record TokenInfo(string Name, string Role, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>The caller a valid token names.</summary>
public sealed record Caller(string Name, Role Role);

/// <summary>
/// Tokens in the node's database (the journal's: SQLite, or the PostgreSQL all nodes share, so a token works on every
/// node). Only SHA-256 hashes are stored.
/// </summary>
public sealed class TokenStore(AuditDatabase db)
{
    public const string BootstrapName = "admin";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS api_tokens (
          name TEXT NOT NULL PRIMARY KEY,
          role TEXT NOT NULL,
          sha256 TEXT NOT NULL UNIQUE,
          created_at_ms BIGINT NOT NULL,
          created_by TEXT NOT NULL);
        """;

    /// <summary>
    /// Creates the table and, when it holds no token at all, an admin token named "admin". Nodes that start together
    /// may all try: the insert is conditional on an empty table and on the name, so it succeeds for one of them only
    /// (on PostgreSQL an advisory lock also serialises the DDL). Returns the new token's secret for the winner, else null.
    /// </summary>
    public async Task<string?> InitializeAsync(CancellationToken ct = default)
    {
        var token = ApiToken.New();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (db.Postgres) await AuditDatabase.ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(7092)", ct);
        await AuditDatabase.ExecuteAsync(connection, tx, Schema, ct);
        await using var insert = AuditDatabase.Command(connection, tx, """
            INSERT INTO api_tokens (name, role, sha256, created_at_ms, created_by)
            SELECT @name, @role, @sha, @at, 'first start' WHERE NOT EXISTS (SELECT 1 FROM api_tokens)
            ON CONFLICT (name) DO NOTHING
            """, ("@name", BootstrapName), ("@role", Roles.Name(Role.Admin)), ("@sha", ApiToken.Hash(token)), ("@at", NowMs()));
        var created = await insert.ExecuteNonQueryAsync(ct) == 1;
        await tx.CommitAsync(ct);
        return created ? token : null;
    }

    /// <summary>The caller of a token, or null when no token has that hash (unknown or revoked).</summary>
    public async Task<Caller?> FindAsync(string token, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = AuditDatabase.Command(connection, null, "SELECT name, role FROM api_tokens WHERE sha256 = @sha",
            ("@sha", ApiToken.Hash(token)));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return Roles.Parse(reader.GetString(1)) is { } role ? new Caller(reader.GetString(0), role) : null;
    }

    /// <summary>Adds a token; returns its secret, or null when the name is taken.</summary>
    public async Task<string?> CreateAsync(string name, Role role, string createdBy, CancellationToken ct = default)
    {
        var token = ApiToken.New();
        await using var connection = await db.OpenAsync(ct);
        await using var insert = AuditDatabase.Command(connection, null, """
            INSERT INTO api_tokens (name, role, sha256, created_at_ms, created_by) VALUES (@name, @role, @sha, @at, @by)
            ON CONFLICT (name) DO NOTHING
            """, ("@name", name), ("@role", Roles.Name(role)), ("@sha", ApiToken.Hash(token)), ("@at", NowMs()), ("@by", createdBy));
        return await insert.ExecuteNonQueryAsync(ct) == 1 ? token : null;
    }

    public async Task<IReadOnlyList<TokenInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = AuditDatabase.Command(connection, null,
            "SELECT name, role, created_at_ms, created_by FROM api_tokens ORDER BY name");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var tokens = new List<TokenInfo>();
        while (await reader.ReadAsync(ct))
            tokens.Add(new TokenInfo(reader.GetString(0), reader.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3)));
        return tokens;
    }

    /// <summary>Revokes a token; false when there was none of that name.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var delete = AuditDatabase.Command(connection, null, "DELETE FROM api_tokens WHERE name = @name", ("@name", name));
        return await delete.ExecuteNonQueryAsync(ct) == 1;
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
