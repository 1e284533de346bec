using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Sharding.External;
using Akka.Event;

namespace Actors.Servers.Scheduling;

/// <summary>
/// Shard allocation for domains: where placement wrote a shard's location (external allocation), it lives there.
/// A shard without a live location (its server just failed) would be allocated at whichever server's region
/// asks first (an operator's `domain list` through any node is enough), start its VM there, and then be moved
/// again by failover, killing that VM: a second outage. So before falling back to the requester, the failover
/// manager is asked where the domain goes; it decides once, and the shard is allocated there.
/// </summary>
public sealed class FailoverAwareAllocation(
    ActorSystem system,
    string typeName,
    Func<IActorRef?> failoverManager) : IStartableAllocationStrategy
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);
    private readonly ExternalShardAllocationStrategy _placed = new(system, typeName);
    private readonly ILoggingAdapter _log = Logging.GetLogger(system, typeof(FailoverAwareAllocation));

    public void Start() => _placed.Start();

    public async Task<IActorRef> AllocateShard(IActorRef requester, string shardId,
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        var region = await _placed.AllocateShard(requester, shardId, currentShardAllocations);
        if (!region.Equals(requester) || failoverManager() is not { } manager) return region;
        try
        {
            var home = await manager.Ask<FailoverManager.Home>(new FailoverManager.WhereTo(shardId), AskTimeout);
            if (home.Address is null) return requester;
            var target = currentShardAllocations.Keys.FirstOrDefault(r => AddressOf(r).ToString() == home.Address);
            return target ?? requester;
        }
        catch (AskTimeoutException)
        {
            _log.Warning("allocation of domain {0}: the failover manager did not answer within {1}; allocating at the requester",
                shardId, AskTimeout);
            return requester;
        }
    }

    /// <summary>
    /// Moves shards to where placement wrote them, except shards of a region on a server that is unreachable or no
    /// longer up: a hand-off from it would wait for an answer that never comes (the hand-off timeout), delaying
    /// the failover of that server's domains; its shards are reallocated once the region is gone.
    /// </summary>
    public async Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations,
        IImmutableSet<string> rebalanceInProgress)
    {
        var moves = await _placed.Rebalance(currentShardAllocations, rebalanceInProgress);
        if (moves.Count == 0) return moves;
        var state = Akka.Cluster.Cluster.Get(system).State;
        var healthy = state.Members
            .Where(m => m.Status == Akka.Cluster.MemberStatus.Up && !state.Unreachable.Contains(m))
            .Select(m => m.Address)
            .ToHashSet();
        var stuck = currentShardAllocations
            .Where(r => !healthy.Contains(AddressOf(r.Key)))
            .SelectMany(r => r.Value)
            .ToHashSet();
        return stuck.Count == 0 ? moves : moves.Except(stuck);
    }

    // The coordinator's own region has a local path (no host): its address is this node's.
    private Address AddressOf(IActorRef region) =>
        region.Path.Address.HasLocalScope ? Akka.Cluster.Cluster.Get(system).SelfAddress : region.Path.Address;
}
