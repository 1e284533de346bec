using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace NodeBench;

/// <summary>The nodes' journal, read beside them: the first node's SQLite file (WAL: a reader never blocks the node's
/// writer), or the shared PostgreSQL database.</summary>
public sealed class Journal(string dataDir, string? db)
{
    public long LastOrdering() => Scalar("SELECT COALESCE(MAX(ordering), 0) FROM journal");

    /// <summary>Events of one manifest written after an ordering (a range of the primary key, not a scan).</summary>
    public long Count(string manifest, long after) =>
        Scalar($"SELECT COUNT(*) FROM journal WHERE ordering > {after} AND manifest = '{manifest}'");

    private DbConnection Connect() => db is null
        ? new SqliteConnection($"Data Source={Path.Combine(dataDir, "vmc.db")};Mode=ReadOnly;Pooling=False")
        : new NpgsqlConnection(db);

    private long Scalar(string sql)
    {
        using var connection = Connect();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }
}
