using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cluster.Host.Audit;

/// <summary>The database the node's journal is in (SQLite or PostgreSQL): the audit tables live beside it.</summary>
public sealed class AuditDatabase(string connectionString, bool postgres)
{
    public bool Postgres { get; } = postgres;

    public static AuditDatabase For(DatabaseSetup db) => new(db.ConnectionString, db.Shared);

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        DbConnection connection = Postgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>Creates the tables once. On PostgreSQL every node may try at once: an advisory lock takes turns.</summary>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (Postgres) await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(7091)", ct);
        await ExecuteAsync(connection, tx, AuditSchema.Create, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Adds the nullable CSV tags column the projection's read journal selects (see akka.hocon, query.journal.audit)
    /// once the journal table exists; false while it does not (the plugin creates it on first use).
    /// </summary>
    public async Task<bool> PrepareJournalAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        if (Postgres)
        {
            await using var exists = Command(connection, null, "SELECT to_regclass('journal') IS NOT NULL");
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return false;
            await ExecuteAsync(connection, null, "ALTER TABLE journal ADD COLUMN IF NOT EXISTS tags TEXT NULL", ct);
            return true;
        }
        await using var columns = Command(connection, null, "SELECT COUNT(*), COALESCE(SUM(name = 'tags'), 0) FROM pragma_table_info('journal')");
        await using var reader = await columns.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (count, hasTags) = (reader.GetInt64(0), reader.GetInt64(1));
        await reader.CloseAsync();
        if (count == 0) return false;
        if (hasTags == 0) await ExecuteAsync(connection, null, "ALTER TABLE journal ADD COLUMN tags TEXT NULL", ct);
        return true;
    }

    internal static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        await command.ExecuteNonQueryAsync(ct);
    }

    internal static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.Add(Parameter(command, name, value));
        return command;
    }

    internal static DbParameter Parameter(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        return p;
    }
}
