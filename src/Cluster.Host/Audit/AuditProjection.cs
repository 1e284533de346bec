using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Cluster.Host.Audit;

/// <summary>
/// The stream from the journal into the audit table: every event after the stored offset (AllEvents, in journal
/// order, so events written before tags existed are audited too), in batches of up to batch-size, each batch one
/// transaction with its offset. Live: it keeps following the journal until stopped.
/// </summary>
public static class AuditProjection
{
    /// <summary>The projection's read journal (akka.hocon says why it is not the plugin's default one).</summary>
    public const string ReadJournalId = "akka.persistence.query.journal.audit";

    /// <summary>Runs from <paramref name="from"/>; <paramref name="written"/> is told each committed offset.</summary>
    public static (UniqueKillSwitch Stop, Task<Done> Completion) Run(ActorSystem system, AuditStore store, AuditSettings settings,
        AuditPosition from, Action<long> written)
    {
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(ReadJournalId);
        var maker = new AuditRowMaker(from.DomainPools);
        var offset = from.Offset;
        return journal.AllEvents(Offset.Sequence(from.Offset))
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .GroupedWithin(settings.BatchSize, settings.BatchWindow)
            .SelectAsync(1, async envelopes =>
            {
                var batch = maker.Make([.. envelopes], offset);
                await store.WriteAsync(batch.Rows, batch.NewPools, batch.Offset);
                offset = batch.Offset;
                return batch.Offset;
            })
            .ToMaterialized(Sink.ForEach<long>(written), Keep.Both)
            .Run(system.Materializer());
    }
}
