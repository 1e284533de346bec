using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cluster.Host.Tests.Support;
using Xunit.Abstractions;

namespace Cluster.Host.Tests.MultiNode;

/// <summary>
/// HA failover on three real QEMU servers sharing one PostgreSQL: a server killed with kill -9, a server frozen with
/// SIGSTOP. Each test has a cluster of its own (it breaks a node). Invariant 1 is watched from /proc throughout.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    /// <summary>The bound the tests assert (DESIGN.md invariant 3, "within seconds").</summary>
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(20);
    /// <summary>How long the tests wait anyway, so that a slow failover is measured and the rest still checked.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(75);

    [Fact]
    public async Task Kill_9_of_a_server_restarts_its_HA_domain_elsewhere_within_20_s_with_one_qemu_and_leaves_a_non_HA_domain_stopped()
    {
        await using var c = await ThreeNodeCluster.StartAsync();
        try
        {
            await KilledServerAsync(c);
        }
        catch
        {
            output.WriteLine(c.Logs());
            throw;
        }
    }

    private async Task KilledServerAsync(ThreeNodeCluster c)
    {
        foreach (var node in c.Nodes)
            await CreateAndStartAsync(c.Node1, $"ha-{node.Name}", node.Name, ha: true);
        await CreateAndStartAsync(c.Node1, "plain3", "node3", ha: false);
        var before = await PidsAsync(c, ["ha-node1", "ha-node2", "ha-node3", "plain3"]);

        await using var observer = new QemuObserver(c, "ha-node3", TimeSpan.FromMilliseconds(50));
        var clock = Stopwatch.StartNew();
        c.Node3.KillHard();

        var moved = await Poll.UntilAsync(async () => await Vmc.TryDomainAsync(c.Node1.Api, "ha-node3"),
            d => d is { } x && x.GetProperty("state").GetString() == "running" && x.GetProperty("server").GetString() is "node1" or "node2"
                 && c.QemuOf("ha-node3") is [var only] && only.Server == x.GetProperty("server").GetString(),
            Patience, "ha-node3 runs on node1 or node2 with one QEMU");
        var failover = clock.Elapsed;
        var server = moved!.Value.GetProperty("server").GetString()!;
        output.WriteLine($"failover after kill -9 of node3's host: ha-node3 runs on {server} after {failover.TotalMilliseconds:0} ms");

        // node3's copy was killed by node3's watchdog (its host is dead); never two at once, across servers.
        Assert.DoesNotContain(before["ha-node3"], c.QemuOf("ha-node3").Select(p => p.Pid));
        var samples = await observer.StopAsync();
        AssertNeverTwo(samples, "node3");
        var fenced = samples.FirstOrDefault(s => !s.Processes.Any(p => p.Server == "node3"));
        output.WriteLine($"node3's QEMU of ha-node3 gone after {fenced?.At.TotalMilliseconds:0} ms; watchdog log:\n{WatchdogLog(c.Node3)}");

        // The non-HA domain moved off the dead server but stays stopped; no QEMU of it anywhere.
        var plain = await Poll.UntilAsync(async () => await Vmc.TryDomainAsync(c.Node1.Api, "plain3"),
            d => d is { } x && x.GetProperty("server").GetString() is "node1" or "node2",
            Patience, "plain3 is moved to node1 or node2");
        Assert.Equal("stopped", plain!.Value.GetProperty("state").GetString());
        Assert.Equal("stopped", plain.Value.GetProperty("desiredState").GetString());
        Assert.Empty(c.QemuOf("plain3"));

        // The other HA domains were not touched.
        Assert.Equal([("node1", before["ha-node1"])], c.QemuOf("ha-node1"));
        Assert.Equal([("node2", before["ha-node2"])], c.QemuOf("ha-node2"));
        Assert.True(failover < Failover, $"failover took {failover.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_frozen_server_is_fenced_before_its_HA_domain_runs_elsewhere_then_exits_when_thawed_and_rejoins_after_a_restart()
    {
        await using var c = await ThreeNodeCluster.StartAsync();
        try
        {
            await FrozenServerAsync(c);
        }
        catch
        {
            output.WriteLine(c.Logs());
            throw;
        }
    }

    private async Task FrozenServerAsync(ThreeNodeCluster c)
    {
        await CreateAndStartAsync(c.Node1, "frozen2", "node2", ha: true);
        await CreateAndStartAsync(c.Node1, "steady1", "node1", ha: true);
        var before = await PidsAsync(c, ["frozen2", "steady1"]);

        await using var observer = new QemuObserver(c, "frozen2", TimeSpan.FromMilliseconds(50));
        var clock = Stopwatch.StartNew();
        c.Node2.Freeze();
        // Frozen for 12 s, whatever happens meanwhile.
        var thaw = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(12));
            c.Node2.Thaw();
        });
        TimeSpan failover;
        try
        {
            var moved = await Poll.UntilAsync(async () => await Vmc.TryDomainAsync(c.Node1.Api, "frozen2"),
                d => d is { } x && x.GetProperty("state").GetString() == "running" && x.GetProperty("server").GetString() is "node1" or "node3"
                     && c.QemuOf("frozen2") is [var only] && only.Server == x.GetProperty("server").GetString(),
                Patience, "frozen2 runs on node1 or node3 with one QEMU");
            failover = clock.Elapsed;
            output.WriteLine($"failover after SIGSTOP of node2's host: frozen2 runs on {moved!.Value.GetProperty("server").GetString()} after {failover.TotalMilliseconds:0} ms");
        }
        finally
        {
            await thaw;
        }

        // Thawed, node2 learns that it was downed, fences itself and exits.
        await Poll.UntilAsync(() => c.Node2.HasExited, TimeSpan.FromSeconds(30), "node2's host exits after it was thawed");
        output.WriteLine($"node2's host exited {clock.Elapsed.TotalMilliseconds:0} ms after the freeze");
        var samples = await observer.StopAsync();
        AssertNeverTwo(samples, "node2");
        var fenced = samples.FirstOrDefault(s => !s.Processes.Any(p => p.Server == "node2"));
        var elsewhere = samples.FirstOrDefault(s => s.Processes.Any(p => p.Server != "node2"));
        output.WriteLine($"node2's QEMU gone at {fenced?.At.TotalMilliseconds:0} ms, the new one seen at {elsewhere?.At.TotalMilliseconds:0} ms; watchdog log:\n{WatchdogLog(c.Node2)}");
        Assert.DoesNotContain(before["frozen2"], c.QemuOf("frozen2").Select(p => p.Pid));

        // Restarted, node2 rejoins; the domain stays where it is, with one QEMU; steady1 was never touched.
        await c.Node2.StartAgainAsync();
        await Poll.UntilAsync(() => Vmc.RunAsync(c.Node2.Api, "cluster", "show"),
            r => r.ExitCode == 0 && r.Out.Contains("Count: 3 nodes") && Regex.Matches(r.Out, @"\| up \| reachable \|").Count == 3,
            ThreeNodeCluster.Converge, "cluster show through node2 lists three members up");
        await c.UntilServersUpAsync([c.Node2]);
        var after = await Vmc.DomainAsync(c.Node2.Api, "frozen2");
        Assert.Equal("running", after.GetProperty("state").GetString());
        Assert.NotEqual("node2", after.GetProperty("server").GetString());
        Assert.Equal([(after.GetProperty("server").GetString()!, after.GetProperty("pid").GetInt32())], c.QemuOf("frozen2"));
        Assert.Equal([("node1", before["steady1"])], c.QemuOf("steady1"));
        Assert.True(failover < Failover, $"failover took {failover.TotalMilliseconds:0} ms");
    }

    private static async Task CreateAndStartAsync(NodeProcess through, string name, string server, bool ha)
    {
        string[] create = ["domain", "create", name, "--vcpus", "1", "--memory", "64"];
        var created = await Vmc.RunAsync(through.Api, ha ? [.. create, "--ha"] : create);
        Assert.True(created.ExitCode == 0, created.ToString());
        var started = await Vmc.RunAsync(through.Api, "domain", "start", name, "--server", server, "--wait");
        Assert.True(started.ExitCode == 0, started.ToString());
    }

    /// <summary>Each domain runs with exactly one QEMU, on the server the cluster names: its pid.</summary>
    private static async Task<Dictionary<string, int>> PidsAsync(ThreeNodeCluster c, string[] names)
    {
        var pids = new Dictionary<string, int>();
        foreach (var name in names)
        {
            var d = await Vmc.DomainAsync(c.Node1.Api, name);
            Assert.Equal("running", d.GetProperty("state").GetString());
            var pid = d.GetProperty("pid").GetInt32();
            Assert.Equal([(d.GetProperty("server").GetString()!, pid)], c.QemuOf(name));
            pids[name] = pid;
        }
        return pids;
    }

    /// <summary>Invariant 1 as an observer sees it: never a QEMU of the domain on the failed server and another elsewhere at once.</summary>
    private static void AssertNeverTwo(IReadOnlyList<QemuObserver.Sample> samples, string failed)
    {
        Assert.NotEmpty(samples);
        var both = samples.Where(s => s.Processes.Count > 1).ToList();
        Assert.True(both.Count == 0,
            $"{both.Count} of {samples.Count} samples saw two QEMUs of the domain (failed server {failed}): "
            + string.Join("; ", both.Take(5).Select(s => $"at {s.At.TotalMilliseconds:0} ms {string.Join(", ", s.Processes.Select(p => $"{p.Server}:{p.Pid}"))}")));
    }

    private static string WatchdogLog(NodeProcess node)
    {
        try { return File.ReadAllText(Path.Combine(node.DataDir, "fencing", "watchdog.log")).TrimEnd(); }
        catch (IOException) { return "(none)"; }
    }
}
