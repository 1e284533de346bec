using System.Net;
using System.Text;
using System.Text.Json;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>Pools and pool membership through vmc and the API of a real node (simulated VMM, SQLite journal).</summary>
public sealed class PoolCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Pools_are_created_changed_joined_guarded_and_outlive_a_restart()
    {
        await using var node = await NodeProcess.StartAsync("alpha", vmm: "simulated");

        var pools = await Vmc.RunAsync(node.Api, "pool", "list", "--json");
        Assert.Equal(["default"], pools.Json.EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        var created = await Vmc.RunAsync(node.Api, "pool", "create", "gpu", "--policy", "balance", "--ha", "off", "--sustain", "5m");
        Assert.True(created.ExitCode == 0, created.ToString());
        var gpu = (await Vmc.RunAsync(node.Api, "pool", "show", "gpu", "--json")).Json;
        Assert.Equal(("balance", false, 300), (gpu.GetProperty("policy").GetString(), gpu.GetProperty("ha").GetBoolean(), gpu.GetProperty("sustainSeconds").GetInt32()));
        var again = await Vmc.RunAsync(node.Api, "pool", "create", "gpu");
        Assert.Equal((1, "error: pool gpu exists already"), (again.ExitCode, again.Err.Trim()));

        // A domain of a pool that does not exist is refused, and nothing is written.
        var rows = node.JournalRows();
        var orphan = await Vmc.RunAsync(node.Api, "domain", "create", "web1", "--vcpus", "1", "--memory", "64", "--pool", "nosuch");
        Assert.Equal((1, "error: pool nosuch does not exist; create it with `vmc pool create nosuch`"), (orphan.ExitCode, orphan.Err.Trim()));
        Assert.Equal(rows, node.JournalRows());

        // The server joins gpu; its domain runs; then neither the server nor the pool can go.
        Assert.Equal("Server alpha is in pool gpu.", (await Vmc.RunAsync(node.Api, "server", "add-to-pool", "alpha", "gpu")).Out.Trim());
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "create", "web1", "--vcpus", "1", "--memory", "64", "--pool", "gpu")).ExitCode);
        var start = await Vmc.RunAsync(node.Api, "domain", "start", "web1", "--wait");
        Assert.True(start.ExitCode == 0, start.ToString());
        // The audit says why web1 runs where it runs: the pool's policy chose the server.
        var placed = await Poll.UntilAsync(() => Vmc.RunAsync(node.Api, "audit", "--domain", "web1", "--type", "placed", "--json"),
            r => r.ExitCode == 0 && r.Json.GetProperty("events").GetArrayLength() == 1, Deadline, "web1's placement is in the audit");
        Assert.Matches(@"^start: alpha: least loaded, CPU [0-9]+%, [0-9.]+ GiB free$", placed.Json.GetProperty("events")[0].GetProperty("summary").GetString());
        var leave = await Vmc.RunAsync(node.Api, "server", "remove-from-pool", "alpha");
        Assert.Equal((1, "error: server alpha cannot leave pool gpu while domains run on it: web1; migrate or stop them first"), (leave.ExitCode, leave.Err.Trim()));
        var delete = await Vmc.RunAsync(node.Api, "pool", "delete", "gpu");
        Assert.Equal((1, "error: pool gpu still has server alpha and domain web1; move or delete them first"), (delete.ExitCode, delete.Err.Trim()));
        var unknown = await Vmc.RunAsync(node.Api, "server", "add-to-pool", "alpha", "nosuch");
        Assert.Equal((1, "error: pool nosuch does not exist; `vmc pool list` shows the pools"), (unknown.ExitCode, unknown.Err.Trim()));

        // Bad settings name the field and change nothing.
        using var http = node.AdminHttp();
        var bad = await http.PatchAsync("/pools/gpu", new StringContent("""{"cpuThreshold": 150}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("cpuThreshold", JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
        var set = await Vmc.RunAsync(node.Api, "pool", "set", "gpu", "--cpu-threshold", "70");
        Assert.True(set.ExitCode == 0, set.ToString());

        // After a restart (the node's --pool option is still default): the pool, its settings and the membership are kept.
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "stop", "web1", "--wait")).ExitCode);
        node.KillHard();
        await node.StartAgainAsync();
        gpu = (await Vmc.RunAsync(node.Api, "pool", "show", "gpu", "--json")).Json;
        Assert.Equal((70.0, "balance", "alpha"), (gpu.GetProperty("cpuThreshold").GetDouble(), gpu.GetProperty("policy").GetString(),
            gpu.GetProperty("servers").EnumerateArray().Single().GetString()));

        // Stopped domains do not hold the server; an empty pool can go.
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "server", "remove-from-pool", "alpha")).ExitCode);
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "delete", "web1", "--wait")).ExitCode);
        var deleted = await Vmc.RunAsync(node.Api, "pool", "delete", "gpu");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        pools = await Vmc.RunAsync(node.Api, "pool", "list", "--json");
        Assert.Equal(["default"], pools.Json.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }
}
