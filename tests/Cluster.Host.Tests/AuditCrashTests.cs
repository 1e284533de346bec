using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using Cluster.Host.Tests.Support;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cluster.Host.Tests;

/// <summary>
/// kill -9 of a real node while the audit projection catches up (a rebuild from the journal's start, with domains
/// still being created), then a restart: once caught up, the audit table holds every journal event exactly once.
/// </summary>
public sealed class AuditCrashTests
{
    // Tiny batches: a commit every two events, so the catch-up lasts long enough to be caught in the middle.
    private const string SmallBatches = "vmc.audit.batch-size = 2\n";
    private const int DomainsBefore = 600;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Sqlite_kill_9_during_catch_up_leaves_no_gap_and_no_duplicate()
    {
        await using var node = new NodeProcess(vmm: "simulated", config: SmallBatches);
        await KillDuringCatchUpAsync(node,
            () => new SqliteConnection($"Data Source={Path.Combine(node.DataDir, "vmc.db")};Mode=ReadOnly;Pooling=False"));
    }

    [Fact]
    public async Task Postgres_kill_9_during_catch_up_leaves_no_gap_and_no_duplicate()
    {
        await using var pg = await PostgresServer.StartAsync();
        await using var node = new NodeProcess(db: pg.ConnectionString, vmm: "simulated", config: SmallBatches);
        await KillDuringCatchUpAsync(node, () => new NpgsqlConnection(pg.ConnectionString + ";Pooling=false"));
    }

    private static async Task KillDuringCatchUpAsync(NodeProcess node, Func<DbConnection> open)
    {
        await node.LaunchAsync();
        using var http = node.AdminHttp(TimeSpan.FromSeconds(30));
        await CreateDomainsAsync(http, "a", DomainsBefore, CancellationToken.None);
        var before = await Poll.UntilAsync(() => AuditLedger.ReadAsync(open), l => l.Offset >= l.LastJournalOrdering, Deadline,
            "the audit has caught up before the rebuild");

        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("/audit/rebuild", null)).StatusCode);
        using var writing = new CancellationTokenSource();
        var writer = CreateDomainsAsync(http, "b", 10_000, writing.Token); // the kill also interrupts journal writes
        await Poll.UntilAsync(() => AuditLedger.ReadAsync(open), l => l.Offset > 0 && l.Offset < before.LastJournalOrdering - 200,
            Deadline, "the rebuild is under way, far from done");
        await writing.CancelAsync(); // requests already sent are still being persisted when the kill comes
        node.KillHard();
        await writer;

        var atKill = await AuditLedger.ReadAsync(open);
        Assert.True(atKill.Offset < atKill.LastJournalOrdering, $"the audit was still catching up at the kill: {atKill}");

        await node.StartAgainAsync();
        var after = await Poll.UntilAsync(() => AuditLedger.ReadAsync(open), l => l.Offset >= l.LastJournalOrdering, Deadline,
            "the audit has caught up after the restart");
        Assert.True(after.Journal.Count > DomainsBefore, after.ToString());
        Assert.Null(after.Differences());
    }

    /// <summary>Creates domains PREFIX-0.. through the API, 8 at a time, until <paramref name="count"/> or cancelled.</summary>
    private static async Task CreateDomainsAsync(HttpClient http, string prefix, int count, CancellationToken ct)
    {
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
                async (i, token) =>
                {
                    var response = await http.PostAsJsonAsync("/domains", new { name = $"{prefix}-{i}", vcpus = 1, memoryMiB = 64 }, token);
                    if (!ct.IsCancellationRequested) Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                });
        }
        catch (Exception) when (ct.IsCancellationRequested) { }
    }
}
