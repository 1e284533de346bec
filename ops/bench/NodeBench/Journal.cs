using Microsoft.Data.Sqlite;

namespace NodeBench;

/// <summary>The node's SQLite journal, read beside it (WAL: a reader never blocks the node's writer).</summary>
public sealed class Journal(string dataDir)
{
    private string ConnectionString => $"Data Source={Path.Combine(dataDir, "vmc.db")};Mode=ReadOnly;Pooling=False";

    public long LastOrdering() => Scalar("SELECT COALESCE(MAX(ordering), 0) FROM journal");

    /// <summary>Events of one manifest written after an ordering (a range of the primary key, not a scan).</summary>
    public long Count(string manifest, long after) =>
        Scalar($"SELECT COUNT(*) FROM journal WHERE ordering > {after} AND manifest = '{manifest}'");

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }
}
