using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>Anti-affinity groups through vmc against a real node (simulated VMM): membership rules and placement.</summary>
public sealed class GroupCommandTests
{
    [Fact]
    public async Task Members_of_a_group_never_share_the_server_and_conflicts_are_named()
    {
        await using var node = await NodeProcess.StartAsync("alpha", vmm: "simulated");
        foreach (var name in new[] { "web1", "web2" })
        {
            Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "create", name, "--vcpus", "1", "--memory", "64")).ExitCode);
            Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "start", name, "--wait")).ExitCode);
        }
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "pool", "create", "edge")).ExitCode);
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "create", "edge1", "--vcpus", "1", "--memory", "64", "--pool", "edge")).ExitCode);

        var created = await Vmc.RunAsync(node.Api, "group", "create", "web", "--pool", "default");
        Assert.True(created.ExitCode == 0, created.ToString());
        var twice = await Vmc.RunAsync(node.Api, "group", "create", "web", "--pool", "edge");
        Assert.Equal((1, "error: group web exists already (in pool default)"), (twice.ExitCode, twice.Err.Trim()));

        // Refusals name the conflict and change nothing.
        var together = await Vmc.RunAsync(node.Api, "group", "add", "web", "web1", "web2");
        Assert.Equal((1, "error: web1 and web2 run on server alpha; migrate one of them before they are in group web together"),
            (together.ExitCode, together.Err.Trim()));
        var otherPool = await Vmc.RunAsync(node.Api, "group", "add", "web", "edge1");
        Assert.Equal((1, "error: domain edge1 is in pool edge; group web is in pool default"), (otherPool.ExitCode, otherPool.Err.Trim()));
        var show = await Vmc.RunAsync(node.Api, "group", "show", "web", "--json");
        Assert.Equal(0, show.Json.GetProperty("domains").GetArrayLength());

        // Once web2 is stopped both may join; then web2 cannot start beside web1 on the only server.
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "stop", "web2", "--wait")).ExitCode);
        var added = await Vmc.RunAsync(node.Api, "group", "add", "web", "web1", "web2");
        Assert.True(added.ExitCode == 0, added.ToString());
        var start = await Vmc.RunAsync(node.Api, "domain", "start", "web2");
        Assert.Equal(1, start.ExitCode);
        Assert.Contains("alpha: web1 of group web is there", start.Err);
        Assert.Equal("stopped", (await Vmc.DomainAsync(node.Api, "web2")).GetProperty("state").GetString());

        // Out of the group, it starts.
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "group", "remove", "web", "web2")).ExitCode);
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "start", "web2", "--wait")).ExitCode);
        var list = await Vmc.RunAsync(node.Api, "group", "list");
        Assert.Contains("web   default  web1", list.Out);
        var delete = await Vmc.RunAsync(node.Api, "pool", "delete", "default");
        Assert.Equal((1, "error: pool default still has server alpha and domains web1, web2; move or delete them first"), (delete.ExitCode, delete.Err.Trim()));
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "group", "delete", "web")).ExitCode);
        Assert.Equal("No groups.", (await Vmc.RunAsync(node.Api, "group", "list")).Out.Trim());
    }
}
