using Microsoft.Data.Sqlite;

namespace Cluster.Host;

/// <summary>Which database the journal uses: a SQLite file in the data dir (embedded default) or PostgreSQL.</summary>
public sealed record DatabaseSetup(string ConnectionString, string ProviderName, string Description)
{
    /// <summary>A database several servers share: their domains need leases and fencing.</summary>
    public bool Shared => ProviderName != "SQLite.MS";

    /// <summary>"sqlite" or "postgresql", as settings per database are named (akka.hocon: vmc.persistence.sqlite, .postgresql).</summary>
    public string Kind => Shared ? "postgresql" : "sqlite";

    public static DatabaseSetup For(NodeOptions options)
    {
        if (options.Db is { } db)
            return IsPostgres(db)
                ? new DatabaseSetup(db, "PostgreSQL.15", "PostgreSQL")
                : new DatabaseSetup(db, "SQLite.MS", "SQLite " + db);
        var file = Path.Combine(options.DataDir, "vmc.db");
        return new DatabaseSetup($"Data Source={file};Pooling=True", "SQLite.MS", "SQLite " + file);
    }

    private static bool IsPostgres(string db) =>
        db.Contains("Host=", StringComparison.OrdinalIgnoreCase) || db.StartsWith("postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// SQLite: write-ahead logging so readers never block the journal's writer; synchronous=FULL so that an
    /// event acknowledged to the operator survives a power loss, not just a process crash.
    /// </summary>
    public void Prepare()
    {
        if (ProviderName != "SQLite.MS") return;
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
        command.ExecuteNonQuery();
    }
}
