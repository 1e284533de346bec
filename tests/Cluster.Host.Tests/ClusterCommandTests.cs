using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>vmc's cluster and server palettes against a real one-node cluster.</summary>
public sealed class ClusterCommandTests
{
    [Fact]
    public async Task Cluster_show_status_leader_and_server_commands_describe_the_single_node()
    {
        await using var node = await NodeProcess.StartAsync("alpha");
        var self = $"akka.tcp://vmc@127.0.0.1:{node.ClusterPort}";

        var show = await Vmc.RunAsync(node.Api, "cluster", "show");
        Assert.Equal(0, show.ExitCode);
        var lines = show.Out.TrimEnd().Split('\n');
        Assert.Matches(new Regex($@"^{Regex.Escape(self)} \| \[server\] \| up \| reachable \| \d+\.\d+\.\d+$"), lines[0]);
        Assert.Equal("Count: 1 nodes", lines[^1]);

        Assert.Contains(self, (await Vmc.RunAsync(node.Api, "cluster", "leader")).Out);
        Assert.Contains(self, (await Vmc.RunAsync(node.Api, "cluster", "status")).Out);

        var servers = await Vmc.RunAsync(node.Api, "server", "list", "--json");
        var server = Assert.Single(servers.Json.EnumerateArray());
        Assert.Equal("alpha", server.GetProperty("name").GetString());
        Assert.Equal("tcg", server.GetProperty("hypervisor").GetString());
        Assert.Equal("default", server.GetProperty("pool").GetString());
        Assert.Equal(Environment.ProcessorCount, server.GetProperty("cpus").GetInt32());
        Assert.StartsWith("7.", server.GetProperty("qemuVersion").GetString());
        Assert.Equal("up", server.GetProperty("status").GetString());

        var one = await Vmc.RunAsync(node.Api, "server", "show", "alpha");
        Assert.Equal(0, one.ExitCode);
        Assert.Contains("tcg", one.Out);
        var missing = await Vmc.RunAsync(node.Api, "server", "show", "nosuch");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("error: server nosuch does not exist", missing.Err.Trim());
    }

    [Fact]
    public async Task Vmc_says_it_cannot_reach_a_node_that_is_not_there()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var r = await Vmc.RunAsync($"127.0.0.1:{port}", "domain", "list");
        Assert.Equal(3, r.ExitCode);
        Assert.StartsWith($"error: cannot reach 127.0.0.1:{port}", r.Err.Trim());
    }
}
