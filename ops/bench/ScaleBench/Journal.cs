using Cluster.Host;
using JournalBench;

namespace ScaleBench;

/// <summary>What the journal holds: how many events of one manifest.</summary>
public static class Journal
{
    public static async Task<long> CountAsync(BenchDatabase database, DatabaseSetup db, string manifest)
    {
        await using var connection = database.Connect(db);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM journal WHERE manifest = '{manifest}'";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
