using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Actors.Domains;
using static Actors.Domains.DomainEvents;

namespace AuditBench;

/// <summary>
/// Writes synthetic domain events through the node's real journal plugin (so the tag adapter and the tag table
/// are exercised as in production): each domain cycles created, start requested, started, stop requested,
/// stopped..., times spread evenly over <see cref="Span"/> ending now.
/// </summary>
public sealed class JournalLoader(ActorSystem system, int events, int domains)
{
    public static readonly TimeSpan Span = TimeSpan.FromDays(7);
    private const int EventsPerWrite = 2000;
    private const int WritesInFlight = 4;
    private static readonly string[] Principals = ["alice", "bob", "carol", "system"];

    public DateTimeOffset Start { get; } = DateTimeOffset.UtcNow - Span;

    public static string DomainName(int i) => $"d{i:D6}";

    public async Task LoadAsync()
    {
        var journal = Persistence.Instance.Apply(system).JournalFor(null);
        var perDomain = events / domains;
        var tick = Span / events;
        // A few writes in flight, so that the journal's write-parallelism (2 transactions on PostgreSQL) is used.
        var inFlight = new Queue<Task>();
        for (var first = 0; first < domains; first += EventsPerWrite / perDomain)
        {
            var writes = new List<IPersistentEnvelope>();
            for (var d = first; d < Math.Min(domains, first + EventsPerWrite / perDomain); d++)
            {
                var name = DomainName(d);
                var batch = Enumerable.Range(0, perDomain).Select(seq =>
                    (IPersistentRepresentation)new Persistent(Event(name, seq, Start + tick * (seq * domains + d)), seq + 1, "domain-" + name))
                    .ToList();
                writes.Add(new AtomicWrite(batch.ToImmutableList()));
            }
            if (inFlight.Count == WritesInFlight) await inFlight.Dequeue();
            inFlight.Enqueue(WriteAsync(journal, writes));
        }
        await Task.WhenAll(inFlight);
    }

    private async Task WriteAsync(IActorRef journal, List<IPersistentEnvelope> writes)
    {
        var done = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        var replyTo = system.ActorOf(Props.Create(() => new WriteReplies(done)));
        journal.Tell(new WriteMessages(writes, replyTo, 1));
        var answer = await done.Task;
        system.Stop(replyTo);
        if (answer is WriteMessagesFailed failed) throw new InvalidOperationException($"journal write failed: {failed.Cause}");
    }

    private static IDomainEvent Event(string name, int seq, DateTimeOffset at)
    {
        var meta = new EventMeta(Principals[seq % Principals.Length], at, $"j-{name}-{seq}", "node" + (seq / 10 % 3 + 1));
        return seq == 0
            ? new Created(name, new DomainSpec(name, 1, 128, [], RestartPolicy.OnCrash, null, null, null, Pool: seq % 2 == 0 ? "default" : "edge"), meta)
            : ((seq - 1) % 4) switch
            {
                0 => new StartRequested(name, meta),
                1 => new Started(name, meta.Node, 1000 + seq, meta),
                2 => new StopRequested(name, 30, meta),
                _ => new Stopped(name, "guest-shutdown", meta),
            };
    }

    /// <summary>Receives the journal's answer to one WriteMessages.</summary>
    private sealed class WriteReplies : ReceiveActor
    {
        public WriteReplies(TaskCompletionSource<object> done)
        {
            Receive<WriteMessagesSuccessful>(m => done.TrySetResult(m));
            Receive<WriteMessagesFailed>(m => done.TrySetResult(m));
            ReceiveAny(_ => { });
        }
    }
}
