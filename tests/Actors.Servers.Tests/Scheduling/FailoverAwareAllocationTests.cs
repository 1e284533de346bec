using System.Collections.Immutable;
using Actors.Servers.Scheduling;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace Actors.Servers.Tests.Scheduling;

// Shard locations are replicated data, so the test system is a one-node cluster (it joins itself).
public sealed class FailoverAwareAllocationTests : TestKit
{
    private static readonly Address Other = new("akka.tcp", "vmc", "10.0.0.2", 4053);

    private readonly ShardLocations _locations;
    private readonly FailoverAwareAllocation _allocation;
    private readonly IActorRef _local;
    private readonly IActorRef _remote;

    public FailoverAwareAllocationTests() : base("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        """)
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up, TimeSpan.FromSeconds(10));
        _locations = ShardLocations.Get(Sys);
        _allocation = new FailoverAwareAllocation(Sys, _locations, () => null);
        _local = CreateTestProbe().Ref;
        // A region on another server: only its address matters to the strategy.
        var provider = ((ExtendedActorSystem)Sys).Provider;
        _remote = new EmptyLocalActorRef(provider, new RootActorPath(Other) / "system" / "sharding" / "domain", Sys.EventStream);
    }

    private IImmutableDictionary<IActorRef, IImmutableList<string>> Allocations(string[] local, string[] remote) =>
        ImmutableDictionary<IActorRef, IImmutableList<string>>.Empty
            .Add(_local, local.ToImmutableList())
            .Add(_remote, remote.ToImmutableList());

    [Fact]
    public async Task A_shard_goes_where_placement_wrote_it_and_a_shard_without_a_location_to_the_requester()
    {
        _locations.Place("web1", Other);
        _locations.Place("web2", Akka.Cluster.Cluster.Get(Sys).SelfAddress);
        var current = Allocations([], []);

        await AwaitAssertAsync(async () => Assert.Equal(_remote, await _allocation.AllocateShard(_local, "web1", current)));
        Assert.Equal(_local, await _allocation.AllocateShard(_remote, "web2", current));
        Assert.Equal(_local, await _allocation.AllocateShard(_local, "db1", current));
    }

    [Fact]
    public async Task Rebalance_moves_only_shards_away_from_where_placement_wrote_them_to_a_server_with_a_region()
    {
        _locations.Place("moves", Other);                                         // here, written there: moves
        _locations.Place("stays", Akka.Cluster.Cluster.Get(Sys).SelfAddress);    // already where written
        _locations.Place("nowhere", new Address("akka.tcp", "vmc", "10.0.0.9", 4053)); // no region there
        _locations.Place("busy", Other);                                          // already being moved
        _locations.Place("stuck", Akka.Cluster.Cluster.Get(Sys).SelfAddress);    // on a server that is no member
        var current = Allocations(["moves", "stays", "nowhere", "busy", "unplaced"], ["stuck"]);

        await AwaitAssertAsync(async () => Assert.Equal(["moves"],
            (await _allocation.Rebalance(current, ImmutableHashSet.Create("busy"))).OrderBy(s => s)));
    }
}
