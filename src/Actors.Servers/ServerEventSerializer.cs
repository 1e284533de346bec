using Akka.Actor;
using Actors.Domains.Serialization;

namespace Actors.Servers;

/// <summary>Server and pool events, and what the server and pool indexes replicate. Manifests are part of the journal's format: never change one, add new ones.</summary>
public sealed class ServerEventSerializer(ExtendedActorSystem system) : ManifestJsonSerializer(system, Manifests)
{
    public const int SerializerId = 1702;

    public static readonly IReadOnlyDictionary<string, Type> Manifests = new Dictionary<string, Type>
    {
        ["server.registered.v1"] = typeof(ServerEvents.Registered),
        ["server.index-entry.v1"] = typeof(ServerView),
        ["server.pool-changed.v1"] = typeof(ServerEvents.PoolChanged),
        ["server.maintenance-changed.v1"] = typeof(ServerEvents.MaintenanceChanged),
        ["pool.created.v1"] = typeof(Pools.PoolEvents.Created),
        ["pool.changed.v1"] = typeof(Pools.PoolEvents.Changed),
        ["pool.deleted.v1"] = typeof(Pools.PoolEvents.Deleted),
        ["pool.group-created.v1"] = typeof(Pools.PoolEvents.GroupCreated),
        ["pool.group-members-added.v1"] = typeof(Pools.PoolEvents.GroupMembersAdded),
        ["pool.group-members-removed.v1"] = typeof(Pools.PoolEvents.GroupMembersRemoved),
        ["pool.group-deleted.v1"] = typeof(Pools.PoolEvents.GroupDeleted),
        ["pool.index-entry.v1"] = typeof(Pools.PoolEntry),
        ["server.load.v1"] = typeof(Load.ServerLoad),
    };

    public override int Identifier => SerializerId;
}
