using System.Diagnostics;
using Actors.Servers.Fencing;
using Akka.TestKit.Xunit2;
using Cluster.Host.Fencing;

namespace Cluster.Host.Tests;

/// <summary>
/// A server restarted within its leases' TTL: its leases are its own by name, and renewing the previous run's would
/// keep those domains from starting anywhere else. Only a domain whose VMM still runs here (a stand-in: a copy of
/// /bin/sleep named qemu-system-x86_64 with a file under the domain's directory) keeps its lease.
/// </summary>
public sealed class NodeFencingRestartTests : TestKit, IDisposable
{
    public NodeFencingRestartTests() : base(NodeFencing.KeeperDispatcherHocon) { }

    private readonly string _dataDir = Directory.CreateTempSubdirectory("vmc-fencing-restart-").FullName;
    private readonly List<Process> _vmms = [];
    private NodeFencing? _fencing;

    private Process StartStandInVmm(string domain)
    {
        var dir = Path.Combine(_dataDir, "domains", domain);
        Directory.CreateDirectory(dir);
        var binary = Path.Combine(dir, "qemu-system-x86_64");
        File.Copy("/bin/sleep", binary);
        var start = new ProcessStartInfo(binary) { UseShellExecute = false }; // its path names the domain, as a VMM's files do
        start.ArgumentList.Add("600");
        var process = Process.Start(start)!;
        _vmms.Add(process);
        return process;
    }

    [Fact]
    public async Task Only_the_leases_of_domains_whose_vmm_still_runs_here_survive_a_restart()
    {
        var db = $"Data Source={Path.Combine(_dataDir, "vmc.db")}";
        await using var store = new DomainLeaseStore(db, DomainLeaseStore.SqliteProvider);
        var ttl = TimeSpan.FromMinutes(5); // the previous run's leases are all still valid
        foreach (var d in new[] { "web1", "web2", "db1" }) Assert.True((await store.TryAcquireAsync(d, "node1", ttl)).Granted);
        Assert.True((await store.TryAcquireAsync("other", "node2", ttl)).Granted);
        StartStandInVmm("web2");

        _fencing = new NodeFencing(store, "node1", FencingSettings.Default, _dataDir, Path.Combine(AppContext.BaseDirectory, "watchdog.sh"));
        _fencing.Start(Sys);

        Assert.Null(await store.GetAsync("web1"));
        Assert.Null(await store.GetAsync("db1"));
        Assert.Equal("node1", (await store.GetAsync("web2"))!.Owner);
        Assert.Equal("node2", (await store.GetAsync("other"))!.Owner);
        Assert.True((await store.TryAcquireAsync("web1", "node3", ttl)).Granted); // another server may start it now
    }

    public new void Dispose()
    {
        // Stops the watchdog (fencing kills the stand-in VMMs too), and waits until it saw its stop file, before the
        // directory goes.
        // The watchdog writes its pid file once it runs, which may be after the test's last assertion.
        var pidFile = Path.Combine(_dataDir, "fencing", "watchdog.pid");
        var started = Stopwatch.StartNew();
        while (_fencing is not null && !File.Exists(pidFile) && started.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(50);
        var watchdog = File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) ? pid : 0;
        _fencing?.FenceAsync("test over").GetAwaiter().GetResult();
        if (watchdog > 0)
        {
            var deadline = Stopwatch.StartNew();
            while (Directory.Exists($"/proc/{watchdog}") && deadline.Elapsed < TimeSpan.FromSeconds(3)) Thread.Sleep(50);
            if (Directory.Exists($"/proc/{watchdog}")) Process.GetProcessById(watchdog).Kill();
        }
        foreach (var p in _vmms)
        {
            try { if (!p.HasExited) p.Kill(); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        base.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}
