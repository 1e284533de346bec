using System.Data.Common;
using Cluster.Host;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace JournalBench;

/// <summary>
/// One database kind. Every case gets a fresh database of its own, set up as the node sets up its own
/// (<see cref="DatabaseSetup"/>: SQLite in WAL mode with synchronous=FULL; PostgreSQL as given).
/// </summary>
public abstract class BenchDatabase
{
    public abstract string Kind { get; }

    /// <summary>A new, empty database for one case, prepared as the node prepares its own.</summary>
    public abstract Task<DatabaseSetup> CreateAsync(string caseName);

    public abstract DbConnection Connect(DatabaseSetup db);

    /// <summary>Rows written so far to a journal-shaped table (its highest ordering; 0 before the table exists).</summary>
    public async Task<long> RowsAsync(DatabaseSetup db, string table)
    {
        await using var connection = Connect(db);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        if (!await TableExistsAsync(connection, table)) return 0;
        command.CommandText = $"SELECT COALESCE(MAX(ordering), 0) FROM {table}";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private async Task<bool> TableExistsAsync(DbConnection connection, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Kind == "sqlite"
            ? $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
            : $"SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '{table}'";
        return Convert.ToInt64(await command.ExecuteScalarAsync()) > 0;
    }

    public static BenchDatabase For(string kind, BenchOptions options) => kind == "sqlite"
        ? new SqliteBenchDatabase(options.WorkDir)
        : new PostgresBenchDatabase(options.PostgresConnection!);
}

/// <summary>A SQLite file per case, with the node's own connection string (DatabaseSetup.For a data dir).</summary>
public sealed class SqliteBenchDatabase(string workDir) : BenchDatabase
{
    public override string Kind => "sqlite";

    public override Task<DatabaseSetup> CreateAsync(string caseName)
    {
        var dataDir = Path.Combine(workDir, caseName);
        Directory.CreateDirectory(dataDir);
        var (options, error) = NodeOptions.Parse(["--data-dir", dataDir, "--name", "bench"], _ => null);
        var db = DatabaseSetup.For(options ?? throw new InvalidOperationException(error));
        db.Prepare();
        return Task.FromResult(db);
    }

    public override DbConnection Connect(DatabaseSetup db) => new SqliteConnection(db.ConnectionString);
}

/// <summary>A PostgreSQL database per case (dropped first if a previous run left it), on the server given.</summary>
public sealed class PostgresBenchDatabase(string adminConnection) : BenchDatabase
{
    public override string Kind => "postgresql";

    public override async Task<DatabaseSetup> CreateAsync(string caseName)
    {
        var name = "bench_" + caseName.Replace('-', '_');
        await using (var admin = new NpgsqlConnection(adminConnection))
        {
            await admin.OpenAsync();
            foreach (var sql in new[] { $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", $"CREATE DATABASE {name}" })
            {
                await using var command = new NpgsqlCommand(sql, admin);
                await command.ExecuteNonQueryAsync();
            }
        }
        var cs = new NpgsqlConnectionStringBuilder(adminConnection) { Database = name }.ConnectionString;
        var (options, error) = NodeOptions.Parse(["--db", cs, "--name", "bench"], _ => null);
        return DatabaseSetup.For(options ?? throw new InvalidOperationException(error));
    }

    public override DbConnection Connect(DatabaseSetup db) => new NpgsqlConnection(db.ConnectionString);
}
