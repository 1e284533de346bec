using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cluster.Host.Tests.Support;
using Xunit.Abstractions;

namespace Cluster.Host.Tests.MultiNode;

/// <summary>
/// Placement of a starting domain, live migration and maintenance (evacuation), on three real QEMU servers sharing
/// one PostgreSQL.
/// </summary>
public sealed class PlacementAndMigrationTests(QemuClusterFixture fixture, ITestOutputHelper output) : IClassFixture<QemuClusterFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(90);
    private readonly ThreeNodeCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Start_places_by_best_fit_or_on_the_named_server_and_refuses_a_domain_that_fits_nowhere()
    {
        var c = _cluster;
        string[] names = ["pa", "pb", "pc", "phuge", "pnopool"];
        try
        {
            var servers = await Vmc.RunAsync(c.Node1.Api, "server", "list", "--json");
            Assert.True(servers.ExitCode == 0, servers.ToString());
            Assert.All(servers.Json.EnumerateArray(), s => Assert.Equal(0, s.GetProperty("usedMemoryMiB").GetInt64()));
            var memory = servers.Json.EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("memoryMiB").GetInt64());

            // Three equal, empty servers: the tie goes by name, to node1 (asked through node2's API).
            await CreateAsync(c.Node2, "pa", "--vcpus", "1", "--memory", "64");
            await StartAsync(c.Node2, "pa");
            await AssertRunsOnAsync("pa", c.Node1);

            // --server: on node3, whose QEMU is under node3's data dir.
            await CreateAsync(c.Node2, "pb", "--vcpus", "1", "--memory", "1024");
            await StartAsync(c.Node2, "pb", "--server", "node3");
            await AssertRunsOnAsync("pb", c.Node3);

            // Best fit: node3 has the least free memory that still fits (node1 has 64 MiB used, node3 1024 MiB).
            await CreateAsync(c.Node1, "pc", "--vcpus", "1", "--memory", "64");
            await StartAsync(c.Node1, "pc");
            await AssertRunsOnAsync("pc", c.Node3);

            // Too big for node3 now (it would fit on node2, but the operator asked for node3).
            var huge = memory["node3"] - 1024 - 64 + 1;
            await CreateAsync(c.Node1, "phuge", "--vcpus", "1", "--memory", huge.ToString());
            var refused = await Vmc.RunAsync(c.Node1.Api, "domain", "start", "phuge", "--server", "node3");
            var why = $"server node3 cannot take phuge: {memory["node3"] - 1024 - 64} MiB free, needs {huge} MiB";
            await AssertStartRefusedAsync(c.Node1, "phuge", refused, why);

            // A pool without servers.
            var pool = await Vmc.RunAsync(c.Node3.Api, "pool", "create", "nopool");
            Assert.True(pool.ExitCode == 0, pool.ToString());
            await CreateAsync(c.Node3, "pnopool", "--vcpus", "1", "--memory", "64", "--pool", "nopool");
            refused = await Vmc.RunAsync(c.Node3.Api, "domain", "start", "pnopool");
            await AssertStartRefusedAsync(c.Node3, "pnopool", refused, "pool nopool has no servers");
        }
        finally
        {
            await RemoveAsync(names);
        }
    }

    [Fact]
    public async Task Live_migration_moves_the_running_tiny_guest_to_node2_without_a_reboot_and_leaves_one_qemu()
    {
        var c = _cluster;
        var (kernel, initrd) = TestPaths.TinyGuest;
        try
        {
            await CreateAsync(c.Node1, "mig1", "--vcpus", "1", "--memory", "128", "--disk", "64M",
                "--kernel", kernel, "--initrd", initrd, "--cmdline", "console=ttyS0 quiet panic=-1");
            await StartAsync(c.Node1, "mig1", "--server", "node1");
            var sourcePid = await AssertRunsOnAsync("mig1", c.Node1);
            var sourceSerial = Serial(c.Node1, "mig1");
            await Poll.UntilAsync(() => Heartbeats(sourceSerial).Count > 0, Boot, "the guest boots and prints a heartbeat on node1");
            Assert.Contains("tiny-guest: booted", Read(sourceSerial));

            var clock = Stopwatch.StartNew();
            Vmc.Result migrate;
            IReadOnlyList<QemuObserver.Sample> samples;
            await using (var observer = new QemuObserver(c, "mig1", TimeSpan.FromMilliseconds(20)))
            {
                migrate = await Vmc.RunAsync(c.Node3.Api, "domain", "migrate", "mig1", "--to", "node2", "--wait");
                samples = await observer.StopAsync();
            }
            var wall = clock.Elapsed;
            Assert.True(migrate.ExitCode == 0, migrate.ToString());
            var reported = Regex.Match(migrate.Out, @"migrated to node2 in (\d+) ms, downtime (\d+) ms");
            Assert.True(reported.Success, migrate.ToString());

            // The job carried QEMU's progress (query-migrate, through the job book of node3, whose API took the
            // request): --wait drew it (plain lines, stdout is not a terminal), job show --json has it.
            Assert.Matches(@"\n\[[#-]{30}\] +\d+%  \S+ of \S+  \w+\n", migrate.Out);
            var jobId = Regex.Match(migrate.Out, @"^job (j-[0-9a-f]+): migrate mig1 accepted").Groups[1].Value;
            var job = await Vmc.RunAsync(c.Node3.Api, "job", "show", jobId, "--json");
            Assert.True(job.ExitCode == 0, job.ToString());
            var progress = job.Json.GetProperty("progress");
            Assert.Equal("bytes", progress.GetProperty("unit").GetString());
            Assert.True(progress.GetProperty("total").GetInt64() >= 128L << 20, job.Out); // the guest's RAM at least, plus its disk
            Assert.InRange(progress.GetProperty("done").GetInt64(), 1, progress.GetProperty("total").GetInt64());
            var follow = await Vmc.RunAsync(c.Node3.Api, "job", "follow", jobId);
            Assert.True(follow.ExitCode == 0, follow.ToString());
            Assert.EndsWith($"job {jobId}: migrate mig1 succeeded: {reported.Value}", follow.Out.TrimEnd());

            // Exactly one QEMU now, node2's; node1's process is gone.
            var targetPid = await AssertRunsOnAsync("mig1", c.Node2);
            Assert.NotEqual(sourcePid, targetPid);
            Assert.False(Alive(sourcePid), $"the source QEMU {sourcePid} still runs");
            Assert.Equal([("node2", targetPid)], c.QemuOf("mig1"));

            // What the observer saw: never more than the source and the (paused) target; the end state is one.
            Assert.All(samples, s => Assert.True(s.Processes.Count <= 2, Describe(s)));
            Assert.All(samples.Where(s => s.Processes.Count == 2),
                s => Assert.Equal(["node1", "node2"], s.Processes.Select(p => p.Server).Order()));
            Assert.Equal([("node2", targetPid)], samples[^1].Processes);
            var overlap = samples.Count(s => s.Processes.Count == 2);
            output.WriteLine($"migration: vmc said '{reported.Value}'; vmc --wait took {wall.TotalMilliseconds:0} ms; "
                             + $"{samples.Count} /proc samples, {overlap} with both QEMUs alive (~{overlap * 20} ms)");

            // The guest went on: node2's console continues the heartbeats past node1's last one, without a boot.
            var lastOnSource = Heartbeats(sourceSerial)[^1];
            var targetSerial = Serial(c.Node2, "mig1");
            await Poll.UntilAsync(() => Heartbeats(targetSerial).Count > 0 && Heartbeats(targetSerial)[^1] > lastOnSource, Deadline,
                $"node2's serial log shows a heartbeat after {lastOnSource}s");
            var onTarget = Heartbeats(targetSerial);
            Assert.True(onTarget[0] >= lastOnSource, $"heartbeats on node2 {string.Join(",", onTarget)} restart below node1's last {lastOnSource}");
            Assert.DoesNotContain("tiny-guest: booted", Read(targetSerial));
            output.WriteLine($"heartbeats: node1 last {lastOnSource}s, node2 {string.Join(", ", onTarget.Select(h => h + "s"))}");

            // Refusals: a server that does not exist, a domain that does not run.
            var nowhere = await Vmc.RunAsync(c.Node1.Api, "domain", "migrate", "mig1", "--to", "node9");
            Assert.True(nowhere.ExitCode == 1, nowhere.ToString());
            Assert.Contains("server node9 does not exist", nowhere.Err);
            Assert.Equal([("node2", targetPid)], c.QemuOf("mig1"));

            await CreateAsync(c.Node1, "migstop", "--vcpus", "1", "--memory", "64");
            var stopped = await Vmc.RunAsync(c.Node1.Api, "domain", "migrate", "migstop", "--to", "node2");
            Assert.True(stopped.ExitCode == 1, stopped.ToString());
            Assert.Contains("domain migstop is stopped; only a running or paused domain can migrate", stopped.Err);
            using var http = c.Node2.AdminHttp();
            var response = await http.PostAsync("/domains/migstop/migrate?to=node3", null);
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("domain migstop is stopped; only a running or paused domain can migrate", error.GetProperty("error").GetString());
        }
        finally
        {
            await RemoveAsync(["mig1", "migstop"]);
        }
    }

    [Fact]
    public async Task Maintenance_live_migrates_every_domain_off_the_server_and_nothing_new_lands_there()
    {
        var c = _cluster;
        var (kernel, initrd) = TestPaths.TinyGuest;
        string[] names = ["ev1", "ev2", "ev3"];
        try
        {
            foreach (var name in names[..2])
            {
                await CreateAsync(c.Node1, name, "--vcpus", "1", "--memory", "128", "--kernel", kernel, "--initrd", initrd,
                    "--cmdline", "console=ttyS0 quiet panic=-1");
                await StartAsync(c.Node1, name, "--server", "node1");
            }
            var sourcePids = new Dictionary<string, int>();
            foreach (var name in names[..2])
            {
                sourcePids[name] = await AssertRunsOnAsync(name, c.Node1);
                await Poll.UntilAsync(() => Heartbeats(Serial(c.Node1, name)).Count > 0, Boot, $"{name} boots and prints a heartbeat on node1");
            }

            // Through node2's API; an observer outside the cluster watches each domain's QEMU processes meanwhile.
            var observers = names[..2].ToDictionary(n => n, n => new QemuObserver(c, n, TimeSpan.FromMilliseconds(50)));
            var clock = Stopwatch.StartNew();
            Vmc.Result maintenance;
            var samples = new Dictionary<string, IReadOnlyList<QemuObserver.Sample>>();
            try
            {
                maintenance = await Vmc.RunAsync(c.Node2.Api, "server", "maintenance", "on", "node1", "--wait-timeout", "300");
            }
            finally
            {
                foreach (var (name, observer) in observers)
                {
                    samples[name] = await observer.StopAsync();
                    await observer.DisposeAsync();
                }
            }
            var wall = clock.Elapsed;
            Assert.True(maintenance.ExitCode == 0, maintenance.ToString() + c.Logs());
            Assert.Contains("evacuate node1 succeeded: 2 of 2 moved", maintenance.Out);

            foreach (var name in names[..2])
            {
                var shown = await Vmc.DomainAsync(c.Node1.Api, name);
                var server = c[shown.GetProperty("server").GetString()!];
                Assert.NotEqual("node1", server.Name);
                var pid = await AssertRunsOnAsync(name, server);
                Assert.False(Alive(sourcePids[name]), $"{name}'s source QEMU {sourcePids[name]} still runs");
                // Live: at no sample was the domain without a QEMU (never stopped), never two but the source and the
                // paused target, and the guest on the target did not boot again.
                Assert.All(samples[name], s => Assert.InRange(s.Processes.Count, 1, 2));
                Assert.All(samples[name].Where(s => s.Processes.Count == 2),
                    s => Assert.Equal(["node1", server.Name], s.Processes.Select(p => p.Server).Order()));
                Assert.Equal([(server.Name, pid)], samples[name][^1].Processes);
                Assert.DoesNotContain("tiny-guest: booted", Read(Serial(server, name)));
                var placed = await Poll.UntilAsync(() => Vmc.RunAsync(c.Node1.Api, "audit", "--domain", name, "--type", "placed", "--json"),
                    r => r.ExitCode == 0 && r.Json.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("summary").GetString()!.StartsWith("evacuate:")),
                    Deadline, $"{name}'s evacuation is in the audit with its reason");
                Assert.Contains(placed.Json.GetProperty("events").EnumerateArray(), e => Regex.IsMatch(e.GetProperty("summary").GetString()!,
                    $@"^evacuate: node1 -> {server.Name}: best fit, .+ free; evacuation of node1 \(maintenance\)$"));
            }
            output.WriteLine($"maintenance on node1: 2 domains moved live in {wall.TotalMilliseconds:0} ms (vmc --wait through node2); "
                             + string.Join("; ", samples.Select(kv => $"{kv.Key}: {kv.Value.Count} samples, {kv.Value.Count(x => x.Processes.Count == 2)} with 2 QEMUs")));

            // Nothing new lands on node1: the operator's choice is refused, the scheduler's goes elsewhere.
            var shownNode1 = await Vmc.RunAsync(c.Node3.Api, "server", "show", "node1", "--json");
            Assert.True(shownNode1.Json.GetProperty("maintenance").GetBoolean());
            await CreateAsync(c.Node1, "ev3", "--vcpus", "1", "--memory", "64");
            var refused = await Vmc.RunAsync(c.Node1.Api, "domain", "start", "ev3", "--server", "node1");
            await AssertStartRefusedAsync(c.Node1, "ev3", refused, "server node1 cannot take ev3: in maintenance");
            await StartAsync(c.Node1, "ev3");
            Assert.NotEqual("node1", (await Vmc.DomainAsync(c.Node1.Api, "ev3")).GetProperty("server").GetString());
        }
        finally
        {
            await Vmc.RunAsync(c.Node1.Api, "server", "maintenance", "off", "node1");
            await RemoveAsync(names);
        }
    }

    private async Task CreateAsync(NodeProcess through, string name, params string[] args)
    {
        var create = await Vmc.RunAsync(through.Api, ["domain", "create", name, .. args]);
        Assert.True(create.ExitCode == 0, create.ToString());
    }

    private static async Task StartAsync(NodeProcess through, string name, params string[] args)
    {
        var start = await Vmc.RunAsync(through.Api, ["domain", "start", name, "--wait", .. args]);
        Assert.True(start.ExitCode == 0, start.ToString());
    }

    /// <summary>The domain runs on <paramref name="server"/> (as every node says) with exactly one QEMU in the cluster, under that server's data dir.</summary>
    private async Task<int> AssertRunsOnAsync(string name, NodeProcess server)
    {
        var shown = await Poll.UntilAsync(() => Vmc.TryDomainAsync(_cluster.Node1.Api, name),
            d => d is { } x && x.GetProperty("state").GetString() == "running" && x.GetProperty("server").GetString() == server.Name,
            Deadline, $"{name} runs on {server.Name}");
        var pid = shown!.Value.GetProperty("pid").GetInt32();
        Assert.Equal([(server.Name, pid)], _cluster.QemuOf(name));
        var argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
        Assert.Contains(argv, a => a.Contains(Path.Combine(server.DataDir, "domains", name), StringComparison.Ordinal));
        return pid;
    }

    private static async Task AssertStartRefusedAsync(NodeProcess through, string name, Vmc.Result refused, string why)
    {
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains(why, refused.Err);
        var domain = (await Poll.UntilAsync(() => Vmc.TryDomainAsync(through.Api, name), d => d is not null, Deadline, $"{name} is shown"))!.Value;
        Assert.Equal("stopped", domain.GetProperty("state").GetString());
        Assert.Equal("stopped", domain.GetProperty("desiredState").GetString());
        var jobs = await Vmc.RunAsync(through.Api, "job", "list", "--json");
        Assert.True(jobs.ExitCode == 0, jobs.ToString());
        var job = jobs.Json.EnumerateArray().First(j => j.GetProperty("command").GetString() == "start" && j.GetProperty("target").GetString() == name);
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains(why, job.GetProperty("message").GetString());
        Assert.Contains(job.GetProperty("message").GetString()!, refused.Err);
    }

    /// <summary>Kills and deletes the test's domains (best effort), so that the next test finds empty servers.</summary>
    private async Task RemoveAsync(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            await Vmc.RunAsync(_cluster.Node1.Api, "domain", "kill", name, "--wait");
            await Vmc.RunAsync(_cluster.Node1.Api, "domain", "delete", name, "--wait");
        }
    }

    private static string Serial(NodeProcess node, string domain) => Path.Combine(node.DataDir, "domains", domain, "run", "serial.log");

    private static string Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (FileNotFoundException) { return ""; }
        catch (DirectoryNotFoundException) { return ""; }
    }

    private static List<int> Heartbeats(string serial) =>
        [.. Regex.Matches(Read(serial), @"tiny-guest: heartbeat (\d+)s").Select(m => int.Parse(m.Groups[1].Value))];

    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException) { return false; }
    }

    private static string Describe(QemuObserver.Sample s) =>
        $"at {s.At.TotalMilliseconds:0} ms: {string.Join(", ", s.Processes.Select(p => $"{p.Server}:{p.Pid}"))}";
}
