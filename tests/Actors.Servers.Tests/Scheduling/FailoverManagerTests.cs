using System.Collections.Concurrent;
using Actors.Domains;
using Actors.Domains.Index;
using Actors.Servers.Scheduling;
using Akka.TestKit.Xunit2;

namespace Actors.Servers.Tests.Scheduling;

// The manager follows cluster membership, so the test system has the cluster provider (it joins nothing).
public sealed class FailoverManagerTests() : TestKit("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
    """)
{
    private static ServerCapacity Server(string name, string status = "up", long memoryMiB = 4096) =>
        new(name, "addr-" + name, "default", 2, memoryMiB, status);

    private static DomainIndexEntry Entry(string name, string server, bool ha, string desired = "running") =>
        new(name, server, "default", "running", desired, ha, 1, 1024, DateTimeOffset.UnixEpoch);

    private sealed class FakePorts
    {
        public volatile IReadOnlyList<ServerCapacity> Servers = [];
        public volatile IReadOnlyDictionary<string, DomainIndexEntry> Domains = new Dictionary<string, DomainIndexEntry>();
        public readonly ConcurrentQueue<(string Domain, string Address)> Moves = new();
        public readonly ConcurrentQueue<string> Wakes = new();
        public readonly ConcurrentDictionary<string, DomainCommands.Rehome> Rehomes = new();
        /// <summary>Live status by address; a server missing here has the status it was loaded with.</summary>
        public readonly ConcurrentDictionary<string, string> LiveStatus = new();
        public volatile IReadOnlyList<AntiAffinityGroup> Groups = [];
        public volatile IReadOnlyDictionary<string, PoolSettings> Pools = new Dictionary<string, PoolSettings>();
        /// <summary>The catalog's names (null: the index's).</summary>
        public volatile IReadOnlyList<string>? Catalog;

        public SchedulerPorts Ports => new(
            () => Task.FromResult(new SchedulingSnapshot(Servers, [.. Domains.Values], Pools, Groups)),
            () => Task.FromResult<IReadOnlyList<string>>(Catalog ?? [.. Domains.Keys]),
            address => LiveStatus.TryGetValue(address, out var s) ? s : Servers.First(x => x.Address == address).Status,
            (d, a) => Moves.Enqueue((d, a)),
            (m, _) =>
            {
                Wakes.Enqueue(m.Name);
                if (m is DomainCommands.Rehome r) Rehomes[m.Name] = r;
            });
    }

    [Fact]
    public void A_manager_that_takes_over_after_a_removal_wakes_the_domains_the_index_does_not_know()
    {
        // It never sees node3's removal (its predecessor did, on node3); "fresh" was created there just before.
        var fake = new FakePorts
        {
            Servers = [Server("node1"), Server("node3", "down")],
            Domains = new Dictionary<string, DomainIndexEntry> { ["old"] = Entry("old", "node1", ha: true) },
            Catalog = ["old", "fresh"],
        };
        Sys.ActorOf(FailoverManager.Props(fake.Ports));

        AwaitCondition(() => fake.Wakes.Contains("fresh"), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("old", fake.Wakes);
    }

    [Fact]
    public void Domains_of_a_removed_server_get_new_servers_and_are_woken_and_others_are_left_alone()
    {
        var fake = new FakePorts
        {
            Servers = [Server("node1"), Server("node2", memoryMiB: 2048), Server("node3", "down"), Server("node4", "unreachable")],
            Domains = new Dictionary<string, DomainIndexEntry>
            {
                ["ha1"] = Entry("ha1", "node3", ha: true),
                ["plain"] = Entry("plain", "node3", ha: false),
                ["ok"] = Entry("ok", "node1", ha: true),
                ["limbo"] = Entry("limbo", "node4", ha: true), // unreachable is not down: the SBR has not decided
            },
        };
        Sys.ActorOf(FailoverManager.Props(fake.Ports));

        AwaitCondition(() => fake.Wakes.Count >= 2, TimeSpan.FromSeconds(5));
        var moves = fake.Moves.ToDictionary(m => m.Domain, m => m.Address);
        Assert.Equal("addr-node2", moves["ha1"]); // best fit: node2 has the least free memory that fits
        Assert.Contains(moves["plain"], new[] { "addr-node1", "addr-node2" });
        Assert.DoesNotContain("ok", moves.Keys);
        Assert.DoesNotContain("limbo", moves.Keys);

        // Once moved, a domain is not moved again while its move is in flight.
        Thread.Sleep(FailoverManager.Interval * 3); // let several ticks pass: nothing more may happen
        Assert.Equal(2, fake.Moves.Count);
    }

    [Fact]
    public void Domains_moved_off_one_failure_share_the_room_left_on_the_survivors()
    {
        // node2 holds one more 1 GiB domain, node1 two: three HA domains of node3 must not all pick node2.
        var fake = new FakePorts
        {
            Servers = [Server("node1", memoryMiB: 2048), Server("node2", memoryMiB: 1024), Server("node3", "down")],
            Domains = new Dictionary<string, DomainIndexEntry>
            {
                ["a"] = Entry("a", "node3", ha: true),
                ["b"] = Entry("b", "node3", ha: true),
                ["c"] = Entry("c", "node3", ha: true),
            },
        };
        Sys.ActorOf(FailoverManager.Props(fake.Ports));

        AwaitCondition(() => fake.Moves.Count >= 3, TimeSpan.FromSeconds(5));
        var byServer = fake.Moves.GroupBy(m => m.Address).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(1, byServer["addr-node2"]);
        Assert.Equal(2, byServer["addr-node1"]);
    }

    [Fact]
    public void The_coordinator_is_told_the_same_server_the_manager_chose_and_nothing_for_a_healthy_domain()
    {
        var fake = new FakePorts
        {
            Servers = [Server("node1"), Server("node2", memoryMiB: 2048), Server("node3")],
            Domains = new Dictionary<string, DomainIndexEntry>
            {
                ["ha1"] = Entry("ha1", "node3", ha: true),
                ["ok"] = Entry("ok", "node1", ha: true),
            },
        };
        var manager = Sys.ActorOf(FailoverManager.Props(fake.Ports));

        // Before any snapshot: the question waits for one, and node3 is still up: nothing to decide.
        manager.Tell(new FailoverManager.WhereTo("ha1"), TestActor);
        Assert.Null(ExpectMsg<FailoverManager.Home>().Address);

        // node3 is removed; the coordinator asks, maybe before the manager's next tick saw it.
        fake.LiveStatus["addr-node3"] = "down";
        manager.Tell(new FailoverManager.WhereTo("ha1"), TestActor);
        Assert.Equal("addr-node2", ExpectMsg<FailoverManager.Home>().Address);
        AwaitCondition(() => fake.Moves.Count == 1, TimeSpan.FromSeconds(5));
        Assert.Equal(("ha1", "addr-node2"), fake.Moves.Single());

        // Asked again, or at the next tick: the same decision, not a second move.
        manager.Tell(new FailoverManager.WhereTo("ha1"), TestActor);
        Assert.Equal("addr-node2", ExpectMsg<FailoverManager.Home>().Address);
        manager.Tell(new FailoverManager.WhereTo("ok"), TestActor);
        Assert.Null(ExpectMsg<FailoverManager.Home>().Address);
        manager.Tell(new FailoverManager.WhereTo("no-such-domain"), TestActor);
        Assert.Null(ExpectMsg<FailoverManager.Home>().Address);
        Thread.Sleep(FailoverManager.Interval * 3); // several ticks: nothing more may happen
        Assert.Single(fake.Moves);
    }

    [Fact]
    public void Members_of_an_anti_affinity_group_fail_over_to_different_servers()
    {
        // Best fit alone would put both on node2; the group keeps them apart, and node4 is in maintenance.
        var fake = new FakePorts
        {
            Servers = [Server("node1"), Server("node2", memoryMiB: 3072), Server("node3", "down"), Server("node4") with { Maintenance = true }],
            Domains = new Dictionary<string, DomainIndexEntry>
            {
                ["web1"] = Entry("web1", "node3", ha: true),
                ["web2"] = Entry("web2", "node3", ha: true),
            },
            Groups = [new AntiAffinityGroup("web", "default", ["web1", "web2"])],
        };
        Sys.ActorOf(FailoverManager.Props(fake.Ports));

        AwaitCondition(() => fake.Moves.Count >= 2, TimeSpan.FromSeconds(5));
        Assert.Equal(["addr-node1", "addr-node2"], fake.Moves.Select(m => m.Address).Order().ToArray());
    }

    [Fact]
    public void Each_domain_is_told_its_decision_with_the_reason_and_whether_it_starts()
    {
        // node1 has room for one 1 GiB domain: ha1 takes it; ha2 finds no room and is re-homed stopped, saying why.
        var fake = new FakePorts
        {
            Servers = [Server("node1", memoryMiB: 1024), Server("node3", "down")],
            Domains = new Dictionary<string, DomainIndexEntry>
            {
                ["ha1"] = Entry("ha1", "node3", ha: true),
                ["ha2"] = Entry("ha2", "node3", ha: true),
                ["plain"] = Entry("plain", "node3", ha: false),
            },
        };
        Sys.ActorOf(FailoverManager.Props(fake.Ports));

        AwaitCondition(() => fake.Rehomes.Count == 3, TimeSpan.FromSeconds(5));
        var ha1 = fake.Rehomes["ha1"];
        Assert.Equal((true, new SchedulerDecision("failover", "node3", "node1", "node1: best fit, 1 GiB free")), (ha1.Starts, ha1.Placed));
        var ha2 = fake.Rehomes["ha2"];
        Assert.False(ha2.Starts);
        Assert.Equal("node1: best fit, 0 MiB free; cannot run anywhere (no server in pool default can take ha2 (1 vCPU, 1024 MiB): "
                     + "node1: 0 MiB free, needs 1024 MiB; node3: down)", ha2.Placed.Reason);
        Assert.False(fake.Rehomes["plain"].Starts);
    }

    [Fact]
    public void In_a_pool_with_HA_off_HA_domains_are_re_homed_stopped()
    {
        var fake = new FakePorts
        {
            Servers = [Server("node1"), Server("node3", "down")],
            Domains = new Dictionary<string, DomainIndexEntry> { ["ha1"] = Entry("ha1", "node3", ha: true) },
            Pools = new Dictionary<string, PoolSettings> { ["default"] = PoolSettings.DefaultFor("default") with { Ha = false } },
        };
        Sys.ActorOf(FailoverManager.Props(fake.Ports));

        AwaitCondition(() => fake.Rehomes.ContainsKey("ha1"), TimeSpan.FromSeconds(5));
        var rehome = fake.Rehomes["ha1"];
        Assert.False(rehome.Starts);
        Assert.Equal("node1: best fit, 4 GiB free; pool default has HA off", rehome.Placed.Reason);
    }

    [Fact]
    public void An_HA_domain_the_index_still_believes_stopped_may_start_its_journal_decides()
    {
        // Found by the fault suite: a start acknowledged just before its server froze had not reached the index yet;
        // re-homing it "stopped" turned the acknowledged start into a stop. It is told it may start (its journal
        // says whether it was started); it needs no room, so it leaves the room to a domain known to run.
        var fake = new FakePorts
        {
            Servers = [Server("node1", memoryMiB: 1024), Server("node3", "down")],
            Domains = new Dictionary<string, DomainIndexEntry>
            {
                ["fresh"] = Entry("fresh", "node3", ha: true, desired: "stopped"),
                ["ha1"] = Entry("ha1", "node3", ha: true),
            },
        };
        Sys.ActorOf(FailoverManager.Props(fake.Ports));

        AwaitCondition(() => fake.Rehomes.Count == 2, TimeSpan.FromSeconds(5));
        Assert.True(fake.Rehomes["fresh"].Starts);
        Assert.True(fake.Rehomes["ha1"].Starts);
    }
}
