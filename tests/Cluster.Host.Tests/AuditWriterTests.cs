using System.Data.Common;
using Cluster.Host.Audit;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>
/// The projection's batch is all or nothing on real SQLite and PostgreSQL: a batch that meets a row already stored
/// (a second projector for a moment) writes none of its rows, tags, pools or offset, and the writer goes on with
/// the next batch. On SQLite the writer's tuning stays on its own connection, out of the pool the journal uses.
/// </summary>
public sealed class AuditWriterTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public Task Sqlite_a_batch_that_meets_a_stored_row_writes_nothing() => LocalJournal.OnSqliteAsync(CollidingBatchAsync);

    [Fact]
    public Task Postgres_a_batch_that_meets_a_stored_row_writes_nothing() => LocalJournal.OnPostgresAsync(CollidingBatchAsync);

    [Fact]
    public Task Sqlite_a_batch_after_a_failed_one_writes_nothing() => LocalJournal.OnSqliteAsync(AfterAFailedBatchAsync);

    [Fact]
    public Task Postgres_a_batch_after_a_failed_one_writes_nothing() => LocalJournal.OnPostgresAsync(AfterAFailedBatchAsync);

    [Fact]
    public Task Sqlite_the_writers_page_cache_does_not_pass_to_the_pool() => LocalJournal.OnSqliteAsync(async nodeArgs =>
    {
        var db = await TablesAsync(nodeArgs);
        await (await AuditWriter.OpenAsync(db)).DisposeAsync();
        await using var pooled = await db.OpenAsync();
        Assert.Equal(-2000L, await ScalarAsync(pooled, "PRAGMA cache_size")); // SQLite's default
    });

    private static async Task CollidingBatchAsync(string[] nodeArgs)
    {
        var db = await TablesAsync(nodeArgs);
        await using var writer = await AuditWriter.OpenAsync(db);
        await writer.WriteAsync(new AuditBatch(Rows(1, 3), new Dictionary<string, string> { ["d1"] = "p1" }, 3), Task.CompletedTask);

        // Ordering 3 again after a full statement's worth of new rows: the failure comes once some rows are in.
        var colliding = Rows(4, 40).Append(Rows(3, 3)[0]).ToList();
        await Assert.ThrowsAnyAsync<DbException>(() =>
            writer.WriteAsync(new AuditBatch(colliding, new Dictionary<string, string> { ["d9"] = "p9" }, 40), Task.CompletedTask));
        Assert.Equal((3L, 6L, 3L, 1L), await CountsAsync(db));

        await writer.WriteAsync(new AuditBatch(Rows(4, 40), new Dictionary<string, string>(), 40), Task.CompletedTask);
        Assert.Equal((40L, 80L, 40L, 1L), await CountsAsync(db));
    }

    /// <summary>Two writers, as the projection runs them on PostgreSQL: the second batch's offset waits for the first.</summary>
    private static async Task AfterAFailedBatchAsync(string[] nodeArgs)
    {
        var db = await TablesAsync(nodeArgs);
        await using var first = await AuditWriter.OpenAsync(db);
        await using var second = await AuditWriter.OpenAsync(db);
        await first.WriteAsync(new AuditBatch(Rows(1, 3), new Dictionary<string, string>(), 3), Task.CompletedTask);

        var failing = first.WriteAsync(new AuditBatch(Rows(3, 10), new Dictionary<string, string>(), 10), Task.CompletedTask);
        var after = second.WriteAsync(new AuditBatch(Rows(11, 20), new Dictionary<string, string> { ["d9"] = "p9" }, 20), failing);
        await Assert.ThrowsAnyAsync<DbException>(() => failing);
        await Assert.ThrowsAnyAsync<DbException>(() => after);
        Assert.Equal((3L, 6L, 3L, 0L), await CountsAsync(db));
    }

    /// <summary>The journal's tables (the plugin makes them as its journal starts) and the audit's, in a fresh database.</summary>
    private static async Task<AuditDatabase> TablesAsync(string[] nodeArgs)
    {
        var (options, _) = NodeOptions.Parse(nodeArgs, _ => null);
        var db = AuditDatabase.For(DatabaseSetup.For(options!));
        var system = LocalJournal.Start(nodeArgs);
        try
        {
            Akka.Persistence.Persistence.Instance.Apply(system).JournalFor(null);
            await Poll.UntilAsync(async () =>
            {
                await using var connection = await db.OpenAsync();
                return await db.TableExistsAsync(connection, null, "tags");
            }, made => made, TimeSpan.FromSeconds(30), "the journal plugin made its tag table");
        }
        finally
        {
            await system.Terminate();
        }
        await db.InitializeAsync();
        return db;
    }

    /// <summary>Audit rows for orderings <paramref name="first"/>..<paramref name="last"/>: two tags each (type, domain).</summary>
    private static List<AuditRow> Rows(long first, long last) =>
        Enumerable.Range((int)first, (int)(last - first + 1)).Select(o => new AuditRow(o, At.AddSeconds(o), "domain.created", $"d{o}", null,
            "p1", "alice", null, "node1", $"domain-d{o}", 1, $"created d{o}", "{}")).ToList();

    /// <summary>Audit rows, tag rows, the offset and the pools known, as another connection sees them.</summary>
    private static async Task<(long Rows, long Tags, long Offset, long Pools)> CountsAsync(AuditDatabase db)
    {
        await using var connection = await db.OpenAsync();
        return (await ScalarAsync(connection, "SELECT COUNT(*) FROM audit"), await ScalarAsync(connection, "SELECT COUNT(*) FROM tags"),
            await ScalarAsync(connection, "SELECT ordering FROM audit_offset"), await ScalarAsync(connection, "SELECT COUNT(*) FROM audit_domain_pools"));
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
