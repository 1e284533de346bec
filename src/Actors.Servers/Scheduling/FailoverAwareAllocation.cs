using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;

namespace Actors.Servers.Scheduling;

/// <summary>
/// Shard allocation for domains: where placement wrote a shard's location (<see cref="ShardLocations"/>), it lives
/// there. A shard without a live location (its server just failed) would be allocated at whichever server's region
/// asks first (an operator's `domain list` through any node is enough), start its VM there, and then be moved
/// again by failover, killing that VM: a second outage. So before falling back to the requester, the failover
/// manager is asked where the domain goes; it decides once, and the shard is allocated there.
/// </summary>
public sealed class FailoverAwareAllocation(
    ActorSystem system,
    ShardLocations locations,
    Func<IActorRef?> failoverManager) : IStartableAllocationStrategy
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);
    private readonly ILoggingAdapter _log = Logging.GetLogger(system, typeof(FailoverAwareAllocation));

    public void Start() { }

    public async Task<IActorRef> AllocateShard(IActorRef requester, string shardId,
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        var location = await locations.AddressOfAsync(shardId);
        // Placed on the server that asks: that server is alive, so no failover decides otherwise.
        if (location is not null && location == AddressOf(requester).ToString()) return requester;
        if (location is not null && currentShardAllocations.Keys.FirstOrDefault(r => AddressOf(r).ToString() == location) is { } placed)
            return placed;
        if (failoverManager() is not { } manager) return requester;
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
    /// Moves each shard that lives elsewhere than placement wrote to its written server, if that server has a region,
    /// except shards of a region on a server that is unreachable or no longer up: a hand-off from it would wait for an
    /// answer that never comes (the hand-off timeout), delaying the failover of that server's domains; its shards are
    /// reallocated once the region is gone.
    /// </summary>
    public async Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations,
        IImmutableSet<string> rebalanceInProgress)
    {
        var written = await locations.ReadAsync();
        if (written.Count == 0) return ImmutableHashSet<string>.Empty;
        var state = Akka.Cluster.Cluster.Get(system).State;
        var healthy = state.Members
            .Where(m => m.Status == Akka.Cluster.MemberStatus.Up && !state.Unreachable.Contains(m))
            .Select(m => m.Address.ToString())
            .ToHashSet();
        var regions = currentShardAllocations.Keys.Select(r => AddressOf(r).ToString()).ToHashSet();
        var moves = ImmutableHashSet.CreateBuilder<string>();
        foreach (var (region, shards) in currentShardAllocations)
        {
            var at = AddressOf(region).ToString();
            if (!healthy.Contains(at)) continue;
            foreach (var shard in shards)
                if (written.TryGetValue(shard, out var to) && to != at && regions.Contains(to) && !rebalanceInProgress.Contains(shard))
                    moves.Add(shard);
        }
        return moves.ToImmutable();
    }

    // The coordinator's own region has a local path (no host): its address is this node's.
    private Address AddressOf(IActorRef region) =>
        region.Path.Address.HasLocalScope ? Akka.Cluster.Cluster.Get(system).SelfAddress : region.Path.Address;
}
