using Actors.Domains.Index;
using Actors.Servers.Load;
using Actors.Servers.Scheduling;

namespace Actors.Servers.Tests.Scheduling;

public sealed class SchedulerTests
{
    private static ServerCapacity Server(string name, long memoryMiB = 4096, string pool = "default", string status = "up", int cpus = 2,
        bool maintenance = false, double cpu = 0) =>
        new(name, $"akka.tcp://vmc@127.0.0.1:{4050 + name[^1]}", pool, cpus, memoryMiB, status, maintenance,
            new ServerLoad(cpu, 0, new Dictionary<string, double>(), DateTimeOffset.UnixEpoch));

    private static DomainIndexEntry Running(string name, string server, int memoryMiB, int vcpus = 1, string state = "running") =>
        new(name, server, "default", state, "running", false, vcpus, memoryMiB, DateTimeOffset.UnixEpoch);

    private static PlacementResult Place(int memoryMiB, IReadOnlyList<ServerCapacity> servers, IReadOnlyCollection<DomainIndexEntry> domains,
        string? server = null, string pool = "default", int vcpus = 1, PlacementKind kind = PlacementKind.Start, string? last = null,
        PlacementPolicy policy = PlacementPolicy.BestFit, IReadOnlyList<AntiAffinityGroup>? groups = null, bool runs = true) =>
        Scheduler.Place(new PlacementRequest(kind, "web1", pool, vcpus, memoryMiB, last, server, runs),
            new SchedulingSnapshot(servers, domains,
                new Dictionary<string, PoolSettings> { [pool] = PoolSettings.DefaultFor(pool) with { Policy = policy } }, groups));

    private static readonly AntiAffinityGroup Web = new("web", "default", ["web1", "web2", "web3"]);

    [Fact]
    public void Best_fit_picks_the_server_left_with_the_least_free_memory_and_says_so()
    {
        var servers = new[] { Server("node1"), Server("node2"), Server("node3") };
        var domains = new[] { Running("a", "node2", 3000), Running("b", "node3", 1000) };
        var r = Place(512, servers, domains);
        Assert.Equal("node2", r.Server!.Name);
        Assert.Equal("node2: best fit, 1.1 GiB free", r.Reason);
        Assert.Equal("node3: best fit, 3 GiB free", Place(2048, servers, domains).Reason); // node2 has only 1096 MiB free
        Assert.Equal([new Rejection("node2", "1096 MiB free, needs 2048 MiB")], Place(2048, servers, domains).Rejected);
    }

    [Fact]
    public void Ties_go_by_name_and_stopped_domains_use_nothing()
    {
        var servers = new[] { Server("node2"), Server("node1") };
        Assert.Equal("node1", Place(512, servers, [Running("a", "node1", 4000, state: "stopped")]).Server!.Name);
        Assert.Equal("node1", Place(512, servers, [], policy: PlacementPolicy.Balance).Server!.Name);
        Assert.Equal("node1", Place(512, servers, [], policy: PlacementPolicy.CurrentServer).Server!.Name);
    }

    [Fact]
    public void Only_up_servers_of_the_domains_pool_out_of_maintenance_are_candidates()
    {
        var servers = new[]
        {
            Server("node1", status: "unreachable"), Server("node2", pool: "gpu"), Server("node3", maintenance: true), Server("node4", 8192),
        };
        var r = Place(512, servers, []);
        Assert.Equal("node4", r.Server!.Name);
        Assert.Equal([new Rejection("node1", "unreachable"), new Rejection("node3", "in maintenance")], r.Rejected);
    }

    [Fact]
    public void No_room_is_a_sentence_naming_each_server_of_the_pool_and_why()
    {
        var servers = new[] { Server("node1", 1024), Server("node2", status: "down"), Server("node3", maintenance: true), Server("node4", pool: "gpu") };
        var r = Place(2048, servers, []);
        Assert.Null(r.Server);
        Assert.Equal("no server in pool default can take web1 (1 vCPU, 2048 MiB): node1: 1024 MiB free, needs 2048 MiB; node2: down; node3: in maintenance",
            r.Reason);
    }

    [Fact]
    public void A_pool_without_servers_says_so()
    {
        Assert.Equal("pool gpu has no servers", Place(64, [Server("node1")], [], pool: "gpu").Reason);
    }

    [Fact]
    public void The_operators_server_is_checked_like_any_other()
    {
        var servers = new[] { Server("node1"), Server("node2", 1024), Server("node3", pool: "gpu"), Server("node4", maintenance: true) };
        var chosen = Place(512, servers, [], server: "node1");
        Assert.Equal("node1", chosen.Server!.Name);
        Assert.Equal("node1: chosen by the operator, 4 GiB free", chosen.Reason);
        Assert.Equal("server node2 cannot take web1: 1024 MiB free, needs 2048 MiB", Place(2048, servers, [], server: "node2").Reason);
        Assert.Equal("server node3 cannot take web1: in pool gpu, not default", Place(64, servers, [], server: "node3").Reason);
        Assert.Equal("server node4 cannot take web1: in maintenance", Place(64, servers, [], server: "node4").Reason);
        Assert.Equal("server node9 does not exist", Place(64, servers, [], server: "node9").Reason);
        Assert.Equal("server node1 cannot take web1: web2 of group web is there",
            Place(64, servers, [Running("web2", "node1", 64)], server: "node1", groups: [Web]).Reason);
    }

    [Fact]
    public void Vcpus_are_overcommitted_up_to_the_limit_and_the_domain_itself_is_not_counted()
    {
        var servers = new[] { Server("node1", 100_000, cpus: 1) };
        var full = Enumerable.Range(0, Scheduler.VcpuOvercommit).Select(i => Running($"d{i}", "node1", 64)).ToList();
        Assert.Equal("server node1 cannot take web1: 0 vCPUs free, needs 1", Place(64, servers, full, server: "node1").Reason);
        full[0] = full[0] with { Name = "web1" }; // its own entry (it is being moved) does not count against it
        Assert.Equal("node1", Place(64, servers, full).Server!.Name);
    }

    [Fact]
    public void Members_of_an_anti_affinity_group_never_share_a_server()
    {
        var servers = new[] { Server("node1"), Server("node2"), Server("node3", 8192) };
        var domains = new[] { Running("web2", "node1", 512), Running("web3", "node2", 512), Running("db", "node3", 512) };
        var r = Place(256, servers, domains, groups: [Web]);
        Assert.Equal("node3", r.Server!.Name); // best fit would be node1 or node2; both hold a member
        Assert.Equal([new Rejection("node1", "web2 of group web is there"), new Rejection("node2", "web3 of group web is there")], r.Rejected);

        // A member that does not run holds nothing; a domain of no group goes anywhere.
        Assert.Equal("node1", Place(256, servers, [Running("web2", "node1", 512, state: "stopped"), domains[1]], groups: [Web]).Server!.Name);
        Assert.Equal("node1", Place(256, servers, domains, groups: [Web with { Domains = ["web2", "web3"] }]).Server!.Name);
    }

    [Fact]
    public void Decisions_made_earlier_in_the_same_round_count_as_placed()
    {
        // Two members placed one after the other: the second sees the first where it was just decided.
        var servers = new[] { Server("node1"), Server("node2") };
        Assert.Equal("node1", Place(256, servers, [], groups: [Web]).Server!.Name);
        var decided = new[] { Running("web2", "node1", 256, state: "starting") };
        Assert.Equal("node2", Place(256, servers, decided, groups: [Web]).Server!.Name);
    }

    [Fact]
    public void When_no_server_keeps_members_apart_the_placement_fails_naming_the_conflicts()
    {
        var servers = new[] { Server("node1"), Server("node2") };
        var r = Place(256, servers, [Running("web2", "node1", 64), Running("web3", "node2", 64)], groups: [Web]);
        Assert.Null(r.Server);
        Assert.Equal("no server in pool default can take web1 (1 vCPU, 256 MiB): node1: web2 of group web is there; node2: web3 of group web is there", r.Reason);
    }

    [Fact]
    public void Balance_picks_the_least_cpu_loaded_then_the_most_free_memory()
    {
        var servers = new[] { Server("node1", cpu: 40), Server("node2", cpu: 10), Server("node3", cpu: 10, memoryMiB: 8192) };
        var r = Place(512, servers, [], policy: PlacementPolicy.Balance);
        Assert.Equal("node3", r.Server!.Name);
        Assert.Equal("node3: least loaded, CPU 10%, 8 GiB free", r.Reason);
        // A server without a sample counts as idle.
        var unsampled = servers.Append(Server("node4") with { Load = null }).ToList();
        Assert.Equal("node4", Place(512, unsampled, [], policy: PlacementPolicy.Balance).Server!.Name);
    }

    [Fact]
    public void Current_server_prefers_where_the_domain_last_ran_and_falls_back_to_best_fit()
    {
        var servers = new[] { Server("node1"), Server("node2", 2048), Server("node3") };
        var r = Place(512, servers, [], last: "node3", policy: PlacementPolicy.CurrentServer);
        Assert.Equal("node3: where web1 last ran, 4 GiB free", r.Reason);
        var full = new[] { Running("big", "node3", 4000) };
        Assert.Equal("node2: best fit, 2 GiB free", Place(512, servers, full, last: "node3", policy: PlacementPolicy.CurrentServer).Reason);
        Assert.Equal("node2", Place(512, servers, [], last: "node3", policy: PlacementPolicy.BestFit).Server!.Name);
    }

    [Fact]
    public void A_move_chosen_by_the_scheduler_leaves_the_current_server()
    {
        var servers = new[] { Server("node1", 1024), Server("node2") };
        foreach (var kind in new[] { PlacementKind.Evacuate, PlacementKind.Balance, PlacementKind.Migrate })
        {
            var r = Place(256, servers, [Running("web1", "node1", 256)], kind: kind, last: "node1", policy: PlacementPolicy.CurrentServer);
            Assert.Equal("node2", r.Server!.Name);
            Assert.Contains(new Rejection("node1", "web1 runs there now"), r.Rejected);
        }
    }

    [Fact]
    public void A_domain_re_homed_stopped_needs_no_room_and_meets_no_group_but_only_an_up_server_out_of_maintenance()
    {
        var servers = new[] { Server("node1", 128, maintenance: true), Server("node2", 128), Server("node3", status: "down") };
        var r = Place(4096, servers, [Running("web2", "node2", 64)], kind: PlacementKind.Failover, last: "node3", groups: [Web], runs: false);
        Assert.Equal("node2", r.Server!.Name);
    }
}
