using Cluster.Host;
using JournalBench;

namespace ScaleBench;

/// <summary>What the journal holds: its last ordering, and how many events of one manifest were written after one.</summary>
public static class Journal
{
    public static async Task<long> LastOrderingAsync(BenchDatabase database, DatabaseSetup db) =>
        await ScalarAsync(database, db, "SELECT COALESCE(MAX(ordering), 0) FROM journal");

    /// <summary>Only rows after <paramref name="after"/>: a range of the primary key, not a scan of the whole journal
    /// (the bench asks five times a second while the node recovers).</summary>
    public static async Task<long> CountAsync(BenchDatabase database, DatabaseSetup db, string manifest, long after) =>
        await ScalarAsync(database, db, $"SELECT COUNT(*) FROM journal WHERE ordering > {after} AND manifest = '{manifest}'");

    private static async Task<long> ScalarAsync(BenchDatabase database, DatabaseSetup db, string sql)
    {
        await using var connection = database.Connect(db);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
