using Akka.Actor;
using Akka.Persistence;
using Cluster.Host.Persistence;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>
/// <see cref="DirectSqlJournal"/> (the node's journal) with many domains writing at once (so in shared
/// transactions): a recovery reads every event in order, none that were deleted, and the highest sequence number
/// even when all events are deleted, so the next event follows on. A second writer of a domain fails alone, and the
/// journal goes on writing (real SQLite and PostgreSQL).
/// </summary>
public sealed class DirectSqlJournalTests
{
    private const int Domains = 40;

    [Fact]
    public Task Sqlite_recovery_reads_every_event_in_order_and_the_highest_sequence_number() =>
        LocalJournal.OnSqliteAsync(WriteThenRecoverAsync);

    [Fact]
    public Task Postgres_recovery_reads_every_event_in_order_and_the_highest_sequence_number() =>
        LocalJournal.OnPostgresAsync(WriteThenRecoverAsync);

    private sealed record Recovered(string[] Events, long LastSequenceNr);

    private sealed record DeleteTo(long SequenceNr);


    /// <summary>Persists the strings it is sent; "get" answers what it recovered and persisted.</summary>
    private sealed class Recorder : ReceivePersistentActor
    {
        private readonly List<string> _events = [];
        private IActorRef _client = ActorRefs.Nobody;
        public override string PersistenceId { get; }

        public Recorder(string persistenceId)
        {
            PersistenceId = persistenceId;
            Recover<string>(e => _events.Add(e));
            Command<string>(m => m == "get", _ => Sender.Tell(new Recovered(_events.ToArray(), LastSequenceNr)));
            Command<string>(m =>
            {
                _client = Sender;
                Persist(m, e =>
                {
                    _events.Add(e);
                    _client.Tell("ok");
                });
            });
            Command<DeleteTo>(d =>
            {
                _client = Sender;
                DeleteMessages(d.SequenceNr);
            });
            Command<DeleteMessagesSuccess>(_ => _client.Tell("deleted"));
        }

        protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
        {
            _client.Tell("failed");
            base.OnPersistFailure(cause, @event, sequenceNr);
        }
    }

    /// <summary>A fresh incarnation of <paramref name="persistenceId"/> (recovered first), asked once and stopped.</summary>
    private static async Task<T> AskAsync<T>(ActorSystem system, string persistenceId, object message)
    {
        var recorder = system.ActorOf(Props.Create(() => new Recorder(persistenceId)));
        try { return await recorder.Ask<T>(message, TimeSpan.FromSeconds(30)); }
        finally { system.Stop(recorder); }
    }

    private static async Task WriteThenRecoverAsync(params string[] nodeArgs)
    {
        var ids = Enumerable.Range(0, Domains).Select(i => $"domain-r{i:D2}").ToList();
        var first = LocalJournal.Start(nodeArgs);
        try
        {
            Assert.Contains(nameof(DirectSqlJournal), first.Settings.Config.GetString("akka.persistence.journal.sql.class"));
            // Three events each, the domains writing at once (so batched together), one after another per domain.
            await Task.WhenAll(ids.Select(async id =>
            {
                foreach (var n in new[] { "created", "started", "paused" })
                    Assert.Equal("ok", await AskAsync<string>(first, id, $"{id} {n}"));
            }));
            Assert.Equal("deleted", await AskAsync<string>(first, ids[0], new DeleteTo(3)));
            Assert.Equal("deleted", await AskAsync<string>(first, ids[1], new DeleteTo(2)));
        }
        finally { await first.Terminate(); }

        var second = LocalJournal.Start(nodeArgs);
        try
        {
            var recovered = await Task.WhenAll(ids.Select(id => AskAsync<Recovered>(second, id, "get")));
            Assert.Empty(recovered[0].Events);
            Assert.Equal([$"{ids[1]} paused"], recovered[1].Events);
            foreach (var (id, r) in ids.Zip(recovered).Skip(2))
                Assert.Equal([$"{id} created", $"{id} started", $"{id} paused"], r.Events);
            Assert.All(recovered, r => Assert.Equal(3, r.LastSequenceNr));
            // All of its events deleted, a domain's next event still follows the last one.
            Assert.Equal("ok", await AskAsync<string>(second, ids[0], $"{ids[0]} resumed"));
            var resumed = await AskAsync<Recovered>(second, ids[0], "get");
            Assert.Equal([$"{ids[0]} resumed"], resumed.Events);
            Assert.Equal(4, resumed.LastSequenceNr);
        }
        finally { await second.Terminate(); }
    }

    [Fact]
    public Task Sqlite_a_second_writer_of_a_domain_fails_alone() =>
        LocalJournal.OnSqliteAsync(SecondWriterFailsAloneAsync);

    [Fact]
    public Task Postgres_a_second_writer_of_a_domain_fails_alone() =>
        LocalJournal.OnPostgresAsync(SecondWriterFailsAloneAsync);

    /// <summary>
    /// Two servers' actors of one domain, both recovered to event 1: the first to write takes sequence number 2,
    /// the other's write fails (the journal's unique key), and each server's journal then writes on.
    /// </summary>
    private static async Task SecondWriterFailsAloneAsync(params string[] nodeArgs)
    {
        var a = LocalJournal.Start(nodeArgs);
        var b = LocalJournal.Start(nodeArgs);
        try
        {
            Assert.Equal("ok", await AskAsync<string>(a, "domain-twice", "created"));
            var onA = a.ActorOf(Props.Create(() => new Recorder("domain-twice")));
            var onB = b.ActorOf(Props.Create(() => new Recorder("domain-twice")));
            Assert.Equal(1, (await onA.Ask<Recovered>("get", TimeSpan.FromSeconds(30))).LastSequenceNr);
            Assert.Equal(1, (await onB.Ask<Recovered>("get", TimeSpan.FromSeconds(30))).LastSequenceNr);

            Assert.Equal("ok", await onA.Ask<string>("started on a", TimeSpan.FromSeconds(30)));
            Assert.Equal("failed", await onB.Ask<string>("started on b", TimeSpan.FromSeconds(30)));

            Assert.Equal("ok", await AskAsync<string>(b, "domain-other", "created on b"));
            Assert.Equal("ok", await AskAsync<string>(a, "domain-twice", "stopped on a"));
            var history = await AskAsync<Recovered>(b, "domain-twice", "get");
            Assert.Equal(["created", "started on a", "stopped on a"], history.Events);
        }
        finally
        {
            await Task.WhenAll(a.Terminate(), b.Terminate());
        }
    }
}
