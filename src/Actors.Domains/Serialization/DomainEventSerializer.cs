using Akka.Actor;
using Actors.Domains.Catalog;
using static Actors.Domains.DomainEvents;

namespace Actors.Domains.Serialization;

/// <summary>Domain and catalog events. Manifests are part of the journal's format: never change one, add new ones.</summary>
public sealed class DomainEventSerializer(ExtendedActorSystem system) : ManifestJsonSerializer(system, Manifests)
{
    public const int SerializerId = 1701;

    public static readonly IReadOnlyDictionary<string, Type> Manifests = new Dictionary<string, Type>
    {
        ["domain.created.v1"] = typeof(Created),
        ["domain.start-requested.v1"] = typeof(StartRequested),
        ["domain.stop-requested.v1"] = typeof(StopRequested),
        ["domain.kill-requested.v1"] = typeof(KillRequested),
        ["domain.restart-requested.v1"] = typeof(RestartRequested),
        ["domain.pause-requested.v1"] = typeof(PauseRequested),
        ["domain.resume-requested.v1"] = typeof(ResumeRequested),
        ["domain.deleted.v1"] = typeof(Deleted),
        ["domain.started.v1"] = typeof(Started),
        ["domain.adopted.v1"] = typeof(Adopted),
        ["domain.start-failed.v1"] = typeof(StartFailed),
        ["domain.paused.v1"] = typeof(DomainEvents.Paused),
        ["domain.resumed.v1"] = typeof(Resumed),
        ["domain.stopped.v1"] = typeof(DomainEvents.Stopped),
        ["domain.crashed.v1"] = typeof(Crashed),
        ["domain.vmm-lost.v1"] = typeof(VmmLost),
        ["domain.migration-requested.v1"] = typeof(MigrationRequested),
        ["domain.migrated.v1"] = typeof(Migrated),
        ["domain.migration-failed.v1"] = typeof(MigrationFailed),
        ["domain.placed.v1"] = typeof(Placed),
        ["domain.index-entry.v1"] = typeof(Index.DomainIndexEntry),
        ["catalog.entry-added.v1"] = typeof(CatalogEvents.EntryAdded),
        ["catalog.entry-removed.v1"] = typeof(CatalogEvents.EntryRemoved),
    };

    public override int Identifier => SerializerId;
}
