using Akka.Actor;
using Actors.Domains.Index;

namespace Actors.Servers.Scheduling;

/// <summary>
/// Where placement put each domain's shard: domain name → the cluster address of its server, replicated to every
/// node (the shard coordinator reads it wherever it runs). Written by start placement, migration, evacuation and
/// failover; read by <see cref="FailoverAwareAllocation"/>. In buckets, as the domain index, and read one domain at a
/// time when a shard is allocated: Akka's ExternalShardAllocationStrategy kept one map and wrote every location into
/// a debug message on every allocation and rebalance, and compared each location against a list of every shard,
/// which made a node of 10,000 domains spend its CPU there.
/// </summary>
public sealed class ShardLocations : IExtension
{
    private readonly ReplicatedIndex<string> _map;

    private ShardLocations(ActorSystem system) => _map = new(system, "domain-location", DomainIndex.Buckets);

    /// <summary>The node's one instance (its bucket keys built once, not per placement).</summary>
    public static ShardLocations Get(ActorSystem system) => system.WithExtension<ShardLocations, Provider>();

    /// <summary>The domain's shard lives on the server at <paramref name="address"/> (a local write, spread by gossip).</summary>
    public void Place(string domain, Address address) => _map.Publish(domain, address.ToString());

    public Task<string?> AddressOfAsync(string domain) => _map.ReadAsync(domain);

    public Task<IReadOnlyDictionary<string, string>> ReadAsync() => _map.ReadAsync();

    public sealed class Provider : ExtensionIdProvider<ShardLocations>
    {
        public override ShardLocations CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
