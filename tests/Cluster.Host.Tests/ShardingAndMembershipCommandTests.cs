using System.Net;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>The cluster-sharding palette and /cluster/members/{address} against a real one-node cluster (simulated VMM).</summary>
public sealed class ShardingAndMembershipCommandTests
{
    [Fact]
    public async Task Sharding_stats_show_the_domain_shards_of_the_node_and_membership_routes_answer()
    {
        await using var node = new NodeProcess("shards1", vmm: "simulated");
        await node.LaunchAsync();
        foreach (var name in new[] { "web1", "web2" })
        {
            Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "create", name, "--vcpus", "1", "--memory", "64")).ExitCode);
            Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "start", name, "--wait")).ExitCode);
        }

        var regions = await Vmc.RunAsync(node.Api, "cluster-sharding", "regions");
        Assert.Equal("domain\npool\nserver\n", regions.Out);

        // Entities that sharding started on its own (wake-ups) may come and go: wait for the two domains.
        var stats = await Poll.UntilAsync(() => Vmc.RunAsync(node.Api, "cluster-sharding", "shard-stats", "-r", "domain"),
            r => r.Out.Contains("web1 ", StringComparison.Ordinal) && r.Out.Contains("web2 ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "shard-stats lists web1 and web2");
        Assert.Matches($@"(?m)^web1\s+{node.Address.Replace(".", @"\.")}\s+1$", stats.Out);

        var regionStats = await Vmc.RunAsync(node.Api, "cluster-sharding", "region-stats", "-r", "domain");
        Assert.True(regionStats.ExitCode == 0, regionStats.ToString());
        var lines = regionStats.Out.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{node.Address} (coordinator)  ", lines[1]);
        Assert.Matches(@"^Total: \d+ shards, \d+ entities on 1 nodes$", lines[2]);

        var json = await Vmc.RunAsync(node.Api, "cluster-sharding", "region-stats", "-r", "domain", "--json");
        Assert.Equal(node.Address, json.Json.GetProperty("coordinator").GetString());
        Assert.Equal(node.Address, json.Json.GetProperty("regions")[0].GetProperty("node").GetString());

        var unknown = await Vmc.RunAsync(node.Api, "cluster-sharding", "shard-stats", "-r", "nosuch");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("error: no shard region of type 'nosuch'; known: domain, pool, server", unknown.Err.Trim());

        using var http = node.AdminHttp();
        var member = await http.GetAsync($"/cluster/members/{Uri.EscapeDataString(node.Address)}");
        Assert.Equal(HttpStatusCode.OK, member.StatusCode);
        Assert.Contains("\"status\":\"Up\"", await member.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/cluster/members/127.0.0.1:{node.ClusterPort}")).StatusCode);

        var down = await Vmc.RunAsync(node.Api, "cluster", "down", "-a", "127.0.0.1:1");
        Assert.Equal(1, down.ExitCode);
        Assert.Equal("error: akka.tcp://vmc@127.0.0.1:1 is not a member of the cluster", down.Err.Trim());
        var badOperation = await http.PutAsync($"/cluster/members/127.0.0.1:{node.ClusterPort}",
            new StringContent("""{"operation":"explode"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badOperation.StatusCode);
        Assert.Equal("operation must be Join, Leave or Down; got 'explode'",
            System.Text.Json.JsonDocument.Parse(await badOperation.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }
}
