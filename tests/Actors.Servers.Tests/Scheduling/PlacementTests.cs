using Actors.Domains.Index;
using Actors.Servers.Scheduling;

namespace Actors.Servers.Tests.Scheduling;

public sealed class PlacementTests
{
    private static ServerCapacity Server(string name, long memoryMiB = 4096, string pool = "default", string status = "up", int cpus = 2) =>
        new(name, $"akka.tcp://vmc@127.0.0.1:{4050 + name[^1]}", pool, cpus, memoryMiB, status);

    private static DomainIndexEntry Running(string name, string server, int memoryMiB, int vcpus = 1, string state = "running") =>
        new(name, server, "default", state, "running", false, vcpus, memoryMiB, DateTimeOffset.UnixEpoch);

    private static PlacementResult Place(int memoryMiB, IReadOnlyList<ServerCapacity> servers, IEnumerable<DomainIndexEntry> domains,
        string? server = null, string pool = "default", int vcpus = 1) =>
        Placement.Choose(new PlacementRequest("web1", pool, vcpus, memoryMiB, server), servers, domains);

    [Fact]
    public void Best_fit_picks_the_server_left_with_the_least_free_memory()
    {
        var servers = new[] { Server("node1"), Server("node2"), Server("node3") };
        var domains = new[] { Running("a", "node2", 3000), Running("b", "node3", 1000) };
        Assert.Equal("node2", Place(512, servers, domains).Server!.Name);
        Assert.Equal("node3", Place(2048, servers, domains).Server!.Name); // node2 has only 1096 MiB free
    }

    [Fact]
    public void Ties_go_by_name_and_stopped_domains_use_nothing()
    {
        var servers = new[] { Server("node2"), Server("node1") };
        Assert.Equal("node1", Place(512, servers, [Running("a", "node1", 4000, state: "stopped")]).Server!.Name);
    }

    [Fact]
    public void Only_up_servers_of_the_domains_pool_are_candidates()
    {
        var servers = new[] { Server("node1", status: "unreachable"), Server("node2", pool: "gpu"), Server("node3") };
        Assert.Equal("node3", Place(512, servers, []).Server!.Name);
    }

    [Fact]
    public void No_room_is_a_sentence_naming_each_server_and_why()
    {
        var servers = new[] { Server("node1", 1024), Server("node2", status: "down") };
        var r = Place(2048, servers, []);
        Assert.Null(r.Server);
        Assert.Equal("no server in pool default has room for web1 (1 vCPU, 2048 MiB): server node1 has 1024 MiB free, web1 needs 2048 MiB; server node2 is down", r.Reason);
    }

    [Fact]
    public void A_pool_without_servers_says_so()
    {
        Assert.Equal("pool gpu has no servers", Place(64, [Server("node1")], [], pool: "gpu").Reason);
    }

    [Fact]
    public void The_operators_server_is_checked_like_any_other()
    {
        var servers = new[] { Server("node1"), Server("node2", 1024), Server("node3", pool: "gpu") };
        Assert.Equal("node1", Place(512, servers, [], server: "node1").Server!.Name);
        Assert.Equal("server node2 has 1024 MiB free, web1 needs 2048 MiB", Place(2048, servers, [], server: "node2").Reason);
        Assert.Equal("server node3 is in pool gpu, not default", Place(64, servers, [], server: "node3").Reason);
        Assert.Equal("server node9 does not exist", Place(64, servers, [], server: "node9").Reason);
    }

    [Fact]
    public void Vcpus_are_overcommitted_up_to_the_limit_and_the_domain_itself_is_not_counted()
    {
        var servers = new[] { Server("node1", 100_000, cpus: 1) };
        var full = Enumerable.Range(0, Placement.VcpuOvercommit).Select(i => Running($"d{i}", "node1", 64)).ToList();
        Assert.Equal("server node1 has 0 vCPUs free, web1 needs 1", Place(64, servers, full, server: "node1").Reason);
        full[0] = full[0] with { Name = "web1" }; // its own entry (it is being moved) does not count against it
        Assert.Equal("node1", Place(64, servers, full).Server!.Name);
    }
}
