using System.Diagnostics;
using System.Globalization;
using Actors.Servers.Fencing;
using static Actors.Servers.Tests.Fencing.FencingTestSupport;

namespace Actors.Servers.Tests.Fencing;

/// <summary>
/// ops/watchdog.sh, started through <see cref="WatchdogLauncher"/>, against stand-in VMMs: copies of /bin/sleep
/// named qemu-system-x86_64. Every process a test starts is killed by its id at the end, pass or fail.
/// </summary>
public sealed class WatchdogTests : IDisposable
{
    private const int TimeoutMs = 1000;

    private readonly string _dataDir = NewTempDir("fencing-wd");
    private readonly string _otherDir = NewTempDir("fencing-wd-other");
    private readonly List<Process> _dummies = [];
    private readonly List<int> _watchdogs = [];
    private readonly WatchdogLauncher _launcher;
    private CancellationTokenSource? _heartbeats;
    private Thread? _heartbeatThread;
    private long _lastHeartbeat;

    public WatchdogTests()
    {
        _launcher = new WatchdogLauncher(WatchdogScript, _dataDir, TimeSpan.FromMilliseconds(TimeoutMs));
    }

    private string FencingDir => Path.Combine(_dataDir, "fencing");
    private string LogText => File.Exists(Path.Combine(FencingDir, "watchdog.log")) ? File.ReadAllText(Path.Combine(FencingDir, "watchdog.log")) : "";

    /// <summary>The time stamp of the watchdog log's first line that contains <paramref name="text"/>.</summary>
    private DateTime LoggedAt(string text)
    {
        var line = LogText.Split('\n').First(l => l.Contains(text, StringComparison.Ordinal));
        return DateTime.Parse(line[..line.IndexOf(' ')], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    /// <summary>Starts a copy of /bin/sleep at <paramref name="path"/> (so argv[0] and comm carry its name), sleeping 600 s.</summary>
    private Process StartDummy(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path))
        {
            File.Copy("/bin/sleep", path);
        }
        var start = new ProcessStartInfo(path) { UseShellExecute = false };
        start.ArgumentList.Add("600");
        var p = Process.Start(start)!;
        _dummies.Add(p);
        return p;
    }

    private Process StartVmm(string domain) => StartDummy(Path.Combine(_dataDir, "domains", domain, "qemu-system-x86_64"));

    private int StartWatchdog()
    {
        var pid = _launcher.Start();
        _watchdogs.Add(pid);
        return pid;
    }

    private async Task WaitUntilRunning(int pid)
    {
        await Eventually(() => _launcher.RunningPid() == pid && LogText.Contains($"watchdog[{pid}] started", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), $"watchdog {pid} runs and owns the pid file");
    }

    /// <summary>Writes a heartbeat every 200 ms from a thread of its own (not the thread pool, which other tests load).</summary>
    private void StartHeartbeats()
    {
        _heartbeats = new CancellationTokenSource();
        var token = _heartbeats.Token;
        Directory.CreateDirectory(FencingDir);
        var file = Path.Combine(FencingDir, "heartbeat");
        _heartbeatThread = new Thread(() =>
        {
            while (!token.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                File.WriteAllText(file + ".tmp", now.ToString(CultureInfo.InvariantCulture) + "\n");
                File.Move(file + ".tmp", file, overwrite: true);
                Interlocked.Exchange(ref _lastHeartbeat, now);
                token.WaitHandle.WaitOne(200);
            }
        }) { IsBackground = true, Name = "heartbeats" };
        _heartbeatThread.Start();
    }

    private void StopHeartbeats()
    {
        _heartbeats!.Cancel();
        _heartbeatThread!.Join();
    }

    [Fact]
    public async Task Vmms_live_while_heartbeats_are_fresh_and_are_killed_when_they_stop()
    {
        var vmm = StartVmm("x");
        var vmm2 = StartVmm("y");
        var foreignQemu = StartDummy(Path.Combine(_otherDir, "qemu-system-x86_64"));
        var notQemu = StartDummy(Path.Combine(_dataDir, "domains", "x", "helper"));
        StartHeartbeats();
        var watchdog = StartWatchdog();
        await WaitUntilRunning(watchdog);

        // Observe for 2.5 timeouts with fresh heartbeats: nothing is killed.
        var observe = Stopwatch.StartNew();
        while (observe.ElapsedMilliseconds < TimeoutMs * 5 / 2)
        {
            Assert.False(vmm.HasExited, "a VMM was killed although the heartbeat was fresh; watchdog log:\n" + LogText);
            await Task.Delay(100);
        }
        Assert.DoesNotContain("KILLED", LogText);

        StopHeartbeats();
        var last = Interlocked.Read(ref _lastHeartbeat);
        await Eventually(() => vmm.HasExited && vmm2.HasExited, TimeSpan.FromMilliseconds(TimeoutMs + 3000), "the VMMs are killed");
        var killedAfter = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - last;
        Assert.True(killedAfter <= TimeoutMs + 1000, $"killed {killedAfter} ms after the last heartbeat; expected <= {TimeoutMs + 1000}");
        Assert.True(killedAfter > TimeoutMs, $"killed only {killedAfter} ms after the last heartbeat");
        Assert.Equal(137, vmm.ExitCode);

        // The watchdog logs once its scan of /proc is complete, just after the kills.
        await Eventually(() => LogText.Contains($"{vmm.Id}(", StringComparison.Ordinal) && LogText.Contains($"{vmm2.Id}(", StringComparison.Ordinal),
            TimeSpan.FromSeconds(3), "the kills are logged");
        var log = LogText;
        Assert.Contains("KILLED", log);
        Assert.Contains($"{vmm.Id}(", log);
        Assert.Contains("heartbeat is", log);
        Assert.Contains($"host pid {Environment.ProcessId}", log);

        // Still stale: a VMM started now is killed too; the others never are.
        var late = StartVmm("z");
        await Eventually(() => late.HasExited, TimeSpan.FromSeconds(3), "a VMM started while stale is killed");
        Assert.False(foreignQemu.HasExited, "a qemu-system process outside DATA_DIR/domains/ was killed");
        Assert.False(notQemu.HasExited, "a non-qemu process under DATA_DIR/domains/ was killed");
        Assert.True(IsAlive(watchdog));
    }

    [Fact]
    public async Task Without_any_heartbeat_vmms_are_killed_once_the_timeout_passed_since_start()
    {
        var vmm = StartVmm("x");
        var started = Stopwatch.StartNew();
        var watchdog = StartWatchdog();
        await Eventually(() => vmm.HasExited, TimeSpan.FromMilliseconds(TimeoutMs + 3000), "the VMM is killed");
        Assert.True(started.ElapsedMilliseconds >= TimeoutMs, $"killed {started.ElapsedMilliseconds} ms after the start, before the timeout");
        await Eventually(() => LogText.Contains("KILLED", StringComparison.Ordinal), TimeSpan.FromSeconds(3), "the kill is logged");
        Assert.Contains("no heartbeat", LogText);
        // How late the kill came, by the watchdog's own log (bash's start-up and this test's polling are not its delay).
        var late = LoggedAt($"watchdog[{watchdog}] KILLED") - LoggedAt($"watchdog[{watchdog}] started");
        Assert.InRange(late.TotalMilliseconds, TimeoutMs, TimeoutMs + 1000);
        Assert.True(IsAlive(watchdog));
    }

    [Fact]
    public async Task It_keeps_no_descriptor_it_inherited_beyond_the_standard_three()
    {
        // A host's parent may leave a descriptor open (here fd 9 on a file, as flock leaves its lock): the watchdog,
        // which outlives the host, must not hold it.
        var held = Path.Combine(_otherDir, "held");
        var start = new ProcessStartInfo("bash") { UseShellExecute = false };
        foreach (var a in new[] { "-c", "exec 9>>\"$1\"; shift; exec bash \"$@\" </dev/null >/dev/null 2>&1", "_", held,
                     WatchdogScript, _dataDir, TimeoutMs.ToString(CultureInfo.InvariantCulture), "1" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        _watchdogs.Add(process.Id);
        await WaitUntilRunning(process.Id);
        var open = Directory.GetFiles($"/proc/{process.Id}/fd").Select(Path.GetFileName).ToList();
        Assert.DoesNotContain("9", open);
        Assert.DoesNotContain(open, fd => new FileInfo($"/proc/{process.Id}/fd/{fd}").LinkTarget == held);
    }

    [Fact]
    public async Task The_stop_file_ends_it_and_it_runs_detached_ignoring_the_hosts_signals()
    {
        var watchdog = StartWatchdog();
        await WaitUntilRunning(watchdog);
        Assert.NotEqual(SessionId(Environment.ProcessId), SessionId(watchdog));
        Assert.Equal(watchdog, SessionId(watchdog)); // its own session leader

        foreach (var signal in new[] { "TERM", "HUP", "INT", "PIPE", "QUIT" })
            Assert.Equal(0, Run("kill", "-" + signal, watchdog.ToString(CultureInfo.InvariantCulture)).ExitCode);

        _launcher.Stop();
        await Eventually(() => !IsAlive(watchdog), TimeSpan.FromSeconds(3), "the watchdog exits");
        // It survived the signals: it left because of the stop file, cleaning up after itself.
        Assert.Contains($"watchdog[{watchdog}] stopped by", LogText);
        Assert.False(File.Exists(_launcher.StopFile));
        Assert.False(File.Exists(_launcher.PidFile));
        Assert.Null(_launcher.RunningPid());
    }

    [Fact]
    public async Task A_new_watchdog_for_the_same_data_dir_replaces_the_running_one()
    {
        var first = StartWatchdog();
        await WaitUntilRunning(first);
        var second = StartWatchdog();
        await WaitUntilRunning(second);
        await Eventually(() => !IsAlive(first), TimeSpan.FromSeconds(3), "the first watchdog is gone");
        Assert.Contains($"replaced watchdog {first}", LogText);
        Assert.True(IsAlive(second));
    }

    public void Dispose()
    {
        _heartbeats?.Cancel();
        _heartbeatThread?.Join(TimeSpan.FromSeconds(2));
        try { _launcher.Stop(); }
        catch (IOException) { }
        foreach (var pid in _watchdogs)
        {
            var deadline = Stopwatch.StartNew();
            while (IsAlive(pid) && deadline.ElapsedMilliseconds < 2000) Thread.Sleep(50);
            if (IsAlive(pid) && IsOurWatchdog(pid))
                Run("kill", "-KILL", pid.ToString(CultureInfo.InvariantCulture));
        }
        foreach (var p in _dummies)
        {
            try { if (!p.HasExited) p.Kill(); }
            catch (InvalidOperationException) { }
            p.WaitForExit(2000);
            p.Dispose();
        }
        TryDeleteDir(_dataDir);
        TryDeleteDir(_otherDir);
    }

    private bool IsOurWatchdog(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("watchdog.sh", StringComparison.Ordinal) && cmdline.Contains(_dataDir, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
