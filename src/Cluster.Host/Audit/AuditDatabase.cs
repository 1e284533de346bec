using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cluster.Host.Audit;

/// <summary>The database the node's journal is in (SQLite or PostgreSQL): the audit tables live beside it.</summary>
public sealed class AuditDatabase(string connectionString, bool postgres)
{
    public bool Postgres { get; } = postgres;

    public static AuditDatabase For(DatabaseSetup db) => new(db.ConnectionString, db.Shared);

    /// <param name="pooled">False: a SQLite connection of its own, closed for good when disposed, so that what its
    /// PRAGMAs set ends with it instead of passing to the journal's next user of the pool.</param>
    public async Task<DbConnection> OpenAsync(CancellationToken ct = default, bool pooled = true)
    {
        DbConnection connection = Postgres ? new NpgsqlConnection(connectionString)
            : new SqliteConnection(pooled ? connectionString : new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>Creates the tables once. On PostgreSQL every node may try at once: an advisory lock takes turns.</summary>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (Postgres) await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(7091)", ct);
        await ExecuteAsync(connection, tx, AuditSchema.Create(Postgres), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Whether the plugin has created its table <paramref name="name"/> (journal, tags) yet: it does so on first use.</summary>
    public async Task<bool> TableExistsAsync(DbConnection connection, DbTransaction? tx, string name, CancellationToken ct = default)
    {
        await using var command = Command(connection, tx, Postgres
            ? "SELECT to_regclass(@t) IS NOT NULL"
            : "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = @t", ("@t", name));
        return Convert.ToBoolean(await command.ExecuteScalarAsync(ct));
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
