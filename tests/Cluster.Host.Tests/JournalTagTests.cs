using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Actors.Domains;
using Cluster.Host.Audit;
using Cluster.Host.Tests.Support;
using static Actors.Domains.DomainEvents;

namespace Cluster.Host.Tests;

/// <summary>
/// The journal as the node configures it writes the events that wait together in one transaction, untagged; the
/// audit projection then writes each event's tags into the journal's tag table, keyed by the ordering the database
/// gave that event. Many domains persist at once, so the writes are batched; every tag must find its own event
/// through EventsByTag (real SQLite and PostgreSQL). A tag row already there past the projection's offset (as an
/// older node's journal wrote them) is the projection's to write again, not a conflict that stops it.
/// </summary>
public sealed class JournalTagTests
{
    private const int Domains = 300;

    [Fact]
    public Task Sqlite_events_written_together_are_each_found_by_their_own_tags() =>
        LocalJournal.OnSqliteAsync(WriteTogetherThenFindByTagsAsync);

    [Fact]
    public Task Postgres_events_written_together_are_each_found_by_their_own_tags() =>
        LocalJournal.OnPostgresAsync(WriteTogetherThenFindByTagsAsync);

    /// <summary>Persists what it is sent, then says "ok".</summary>
    private sealed class Writer : ReceivePersistentActor
    {
        public override string PersistenceId { get; }

        public Writer(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<IDomainEvent>(e => Persist(e, _ => Sender.Tell("ok")));
        }
    }

    private static async Task WriteTogetherThenFindByTagsAsync(params string[] nodeArgs)
    {
        var system = LocalJournal.Start(nodeArgs);
        CancellationTokenSource? projection = null;
        try
        {
            // All at once: the journal gathers the writes that wait into multi-row transactions.
            var acks = Enumerable.Range(0, Domains).Select(i =>
            {
                var name = $"d{i:D3}";
                var writer = system.ActorOf(Props.Create(() => new Writer("domain-" + name)), name);
                var meta = new EventMeta("alice", DateTimeOffset.UtcNow, $"job-{i:D3}", "node1");
                return writer.Ask<string>(new StartRequested(name, meta), TimeSpan.FromSeconds(60));
            }).ToList();
            Assert.All(await Task.WhenAll(acks), ack => Assert.Equal("ok", ack));
            projection = await StartProjectionAsync(system, nodeArgs);

            var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>("akka.persistence.query.journal.sql");
            var materializer = system.Materializer();
            async Task<IReadOnlyList<EventEnvelope>> ByTag(string tag) =>
                await journal.CurrentEventsByTag(tag, Offset.NoOffset()).RunAggregate(new List<EventEnvelope>(), (l, e) => { l.Add(e); return l; }, materializer);

            // The projection tags what it has written: all of it, soon.
            await Poll.UntilAsync(async () => (await ByTag("type:domain.start-requested")).Count, n => n == Domains,
                TimeSpan.FromSeconds(30), "the projection tagged every event");
            for (var i = 0; i < Domains; i++)
            {
                var name = $"d{i:D3}";
                var found = Assert.Single(await ByTag("domain:" + name));
                Assert.Equal("domain-" + name, found.PersistenceId);
                Assert.Equal(name, Assert.IsType<StartRequested>(found.Event).Name);
            }
        }
        finally
        {
            projection?.Cancel();
            await system.Terminate();
        }
    }

    /// <summary>The node's audit projection over the same database, from its start, once the first event has a tag row already.</summary>
    private static async Task<CancellationTokenSource> StartProjectionAsync(ActorSystem system, string[] nodeArgs)
    {
        var (options, _) = NodeOptions.Parse(nodeArgs, _ => null);
        var store = new AuditStore(AuditDatabase.For(DatabaseSetup.For(options!)));
        await store.Database.InitializeAsync();
        await using (var connection = await store.Database.OpenAsync())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id)
                SELECT ordering, 'type:domain.start-requested', sequence_number, persistence_id FROM journal ORDER BY ordering LIMIT 1
                """;
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        return AuditProjection.Run(system, store, AuditSettings.From(system.Settings.Config), await store.LoadAsync(), _ => { }).Stop;
    }
}
