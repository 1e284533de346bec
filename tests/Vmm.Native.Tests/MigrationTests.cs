using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vmm.Native.Linux;
using Vmm.Native.Qemu;
using Xunit.Abstractions;

namespace Vmm.Native.Tests;

/// <summary>Live migration between two real QEMUs on loopback (each test: source run dir "src", target "dst").</summary>
public sealed class MigrationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempRun _run = new();
    private readonly QemuDriver _driver = new(new QemuDriverOptions { Accelerator = "tcg" });

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _run.DisposeAsync();

    /// <summary>A port that was free a moment ago (nobody listens on it now).</summary>
    internal static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private sealed class Recorder : IProgress<MigrationProgress>
    {
        public ConcurrentQueue<MigrationProgress> Reports { get; } = new();
        public Action<MigrationProgress>? OnReport { get; init; }
        public void Report(MigrationProgress value)
        {
            Reports.Enqueue(value);
            OnReport?.Invoke(value);
        }
    }

    [Fact]
    public async Task Bios_vm_migrates_then_target_resumes_and_is_adopted_after_detach()
    {
        var srcSpec = _run.Spec(sub: "src");
        var dstSpec = _run.Spec(sub: "dst");
        var src = (QemuProcess)_run.Track(await _driver.StartAsync(srcSpec, CancellationToken.None));
        var port = FreePort();
        var sw = Stopwatch.StartNew();
        var dst = (QemuProcess)_run.Track(await _driver.StartIncomingAsync(dstSpec, port, CancellationToken.None));
        output.WriteLine($"StartIncomingAsync: {sw.ElapsedMilliseconds} ms");
        Assert.Equal("inmigrate", await dst.QueryQemuStatusAsync(CancellationToken.None));
        Assert.Equal(VmmRunState.Other, await dst.QueryStatusAsync(CancellationToken.None));
        var argv = ProcFs.ReadCmdline(dst.Pid);
        Assert.True(QemuCommandLine.IsOurs(argv, "dom1", QemuRunPaths.For(dstSpec)));
        Assert.Contains($"tcp:127.0.0.1:{port}", argv);
        Assert.Equal(dst.Pid, int.Parse(File.ReadAllText(Path.Combine(dstSpec.RunDir, "qemu.pid")).Trim()));

        var progress = new Recorder();
        sw.Restart();
        var result = await src.MigrateAsync("127.0.0.1", port, MigrationSettings.Default, progress, CancellationToken.None);
        output.WriteLine($"BIOS VM: MigrateAsync {sw.ElapsedMilliseconds} ms; QEMU total {result.Total.TotalMilliseconds} ms, downtime {result.Downtime.TotalMilliseconds} ms, {result.TransferredBytes} bytes");
        output.WriteLine("progress: " + string.Join(", ", progress.Reports.Select(p => $"{p.Status} {p.TransferredBytes}/{p.TotalBytes}")));
        Assert.True(result.Total > TimeSpan.Zero);
        Assert.True(result.Downtime >= TimeSpan.Zero && result.Downtime <= result.Total);
        Assert.True(result.TransferredBytes > 0);
        Assert.Equal("completed", progress.Reports.Last().Status);

        Assert.Equal("postmigrate", await src.QueryQemuStatusAsync(CancellationToken.None));
        Assert.Equal(VmmRunState.Paused, await dst.QueryStatusAsync(CancellationToken.None));
        await dst.ResumeAsync(CancellationToken.None);
        Assert.Equal(VmmRunState.Running, await dst.QueryStatusAsync(CancellationToken.None));
        var srcExit = await src.QuitAsync(CancellationToken.None);
        Assert.True(srcExit.Expected, srcExit.ToString());

        // The target is an ordinary VMM of the domain in its run dir: detach, and a new driver adopts it.
        var pid = dst.Pid;
        await dst.DisposeAsync();
        Assert.True(ProcFs.IsAliveAndNotZombie(pid));
        var adopted = await new QemuDriver(new QemuDriverOptions { Accelerator = "tcg" }).TryAdoptAsync(dstSpec, CancellationToken.None);
        Assert.NotNull(adopted);
        _run.Track(adopted);
        Assert.Equal(pid, adopted.Pid);
        Assert.Equal(VmmRunState.Running, await adopted.QueryStatusAsync(CancellationToken.None));
        await adopted.KillAsync();
    }

    [Fact]
    public async Task Booted_guest_with_a_disk_migrates_with_its_disk_then_again_on_shared_storage()
    {
        var (kernel, initrd) = TestEnvironment.TinyGuest;
        const string cmdline = "console=ttyS0 quiet panic=-1";
        var srcDisk = Path.Combine(_run.Dir, "src.qcow2");
        var dstDisk = Path.Combine(_run.Dir, "dst.qcow2");
        await _driver.CreateDiskAsync(srcDisk, 64L << 20, CancellationToken.None);
        await _driver.CreateDiskAsync(dstDisk, 64L << 20, CancellationToken.None);
        // Content that must arrive in the target's empty image.
        var (code, text) = TestEnvironment.Run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 1M 2M", srcDisk);
        Assert.True(code == 0, text);

        var srcSpec = _run.Spec("tiny", 128, kernel, initrd, cmdline, [srcDisk], "src");
        var dstSpec = _run.Spec("tiny", 128, kernel, initrd, cmdline, [dstDisk], "dst");
        var src = (QemuProcess)_run.Track(await _driver.StartAsync(srcSpec, CancellationToken.None));
        Assert.True(await TestEnvironment.WaitUntilAsync(() => Serial(srcSpec).Contains("tiny-guest: booted"), TimeSpan.FromSeconds(30), 50),
            "no boot line; serial log:\n" + Serial(srcSpec));

        var port = FreePort();
        var dst = (QemuProcess)_run.Track(await _driver.StartIncomingAsync(dstSpec, port, CancellationToken.None));
        var progress = new Recorder();
        var sw = Stopwatch.StartNew();
        var copied = await src.MigrateAsync("127.0.0.1", port, MigrationSettings.Default, progress, CancellationToken.None);
        output.WriteLine($"tiny guest + 64M disk copied: MigrateAsync {sw.ElapsedMilliseconds} ms; QEMU total {copied.Total.TotalMilliseconds} ms, downtime {copied.Downtime.TotalMilliseconds} ms, {copied.TransferredBytes} bytes");
        output.WriteLine("progress: " + string.Join(", ", progress.Reports.Select(p => $"{p.Status} {p.TransferredBytes}/{p.TotalBytes}")));
        Assert.Equal("postmigrate", await src.QueryQemuStatusAsync(CancellationToken.None));
        await src.KillAsync();
        Assert.Equal(VmmRunState.Paused, await dst.QueryStatusAsync(CancellationToken.None));
        await dst.ResumeAsync(CancellationToken.None);
        await AssertHeartbeatAsync(dstSpec);

        // Second hop without copying: the next target opens the same image (shared storage).
        var thirdSpec = _run.Spec("tiny", 128, kernel, initrd, cmdline, [dstDisk], "third");
        var port2 = FreePort();
        var third = (QemuProcess)_run.Track(await _driver.StartIncomingAsync(thirdSpec, port2, CancellationToken.None));
        sw.Restart();
        var shared = await dst.MigrateAsync("127.0.0.1", port2, MigrationSettings.Default with { CopyDisks = false }, null, CancellationToken.None);
        output.WriteLine($"tiny guest, shared disk: MigrateAsync {sw.ElapsedMilliseconds} ms; QEMU total {shared.Total.TotalMilliseconds} ms, downtime {shared.Downtime.TotalMilliseconds} ms, {shared.TransferredBytes} bytes");
        Assert.True(copied.TransferredBytes > shared.TransferredBytes, $"{copied.TransferredBytes} vs {shared.TransferredBytes}");
        await dst.KillAsync();
        await third.ResumeAsync(CancellationToken.None);
        await AssertHeartbeatAsync(thirdSpec);

        await third.PowerDownAsync(CancellationToken.None);
        var exit = await third.Exited.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(exit.Expected, exit.ToString());
        Assert.Equal("guest-shutdown", exit.Reason);

        (code, text) = TestEnvironment.Run("qemu-io", "-f", "qcow2", "-c", "read -P 0xab 1M 2M", dstDisk);
        Assert.True(code == 0 && !text.Contains("Pattern verification failed"), text);
    }

    [Fact]
    public async Task Migration_to_a_port_nobody_listens_on_fails_and_the_source_runs()
    {
        var src = (QemuProcess)_run.Track(await _driver.StartAsync(_run.Spec(sub: "src"), CancellationToken.None));
        var e = await Assert.ThrowsAsync<VmmException>(() =>
            src.MigrateAsync("127.0.0.1", FreePort(), MigrationSettings.Default, null, CancellationToken.None));
        output.WriteLine(e.Message);
        Assert.Contains("refused", e.Message);
        Assert.Equal("running", await src.QueryQemuStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Timeout_cancels_the_migration_the_source_runs_again_and_the_target_exits()
    {
        var (src, dst, port) = await PairAsync();
        var slow = new MigrationSettings(TimeSpan.FromMilliseconds(500), 32 << 10, false, true);
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<VmmException>(() => src.MigrateAsync("127.0.0.1", port, slow, null, CancellationToken.None));
        output.WriteLine($"{sw.ElapsedMilliseconds} ms: {e.Message}");
        Assert.Contains("timed out after 0.5 s", e.Message);
        Assert.Equal("running", await src.QueryQemuStatusAsync(CancellationToken.None));
        var exit = await dst.Exited.WaitAsync(TimeSpan.FromSeconds(5));
        output.WriteLine($"target: {exit}");
        Assert.False(exit.Expected);

        // The source can migrate again afterwards (capabilities and parameters are reset by the next call).
        var port2 = FreePort();
        _run.Track(await _driver.StartIncomingAsync(_run.Spec(memoryMiB: 256, sub: "dst2"), port2, CancellationToken.None));
        await src.MigrateAsync("127.0.0.1", port2, MigrationSettings.Default, null, CancellationToken.None);
        Assert.Equal("postmigrate", await src.QueryQemuStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Cancellation_cancels_the_migration_and_a_paused_source_stays_paused()
    {
        var (src, dst, port) = await PairAsync();
        await src.PauseAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var slow = MigrationSettings.Default with { MaxBandwidthBytesPerSecond = 32 << 10 };
        var e = await Assert.ThrowsAsync<VmmException>(() => src.MigrateAsync("127.0.0.1", port, slow, null, cts.Token));
        output.WriteLine(e.Message);
        Assert.IsAssignableFrom<OperationCanceledException>(e.InnerException);
        Assert.Contains("canceled", e.Message);
        Assert.Equal("paused", await src.QueryQemuStatusAsync(CancellationToken.None));
        output.WriteLine($"target: {await dst.Exited.WaitAsync(TimeSpan.FromSeconds(5))}");
    }

    [Fact]
    public async Task Target_dying_mid_migration_fails_it_and_the_source_runs_again()
    {
        var (src, dst, port) = await PairAsync();
        var slow = MigrationSettings.Default with { MaxBandwidthBytesPerSecond = 64 << 10 };
        var progress = new Recorder
        {
            OnReport = p => { if (p.Status == "active" && p.TransferredBytes > 0) LibC.Kill(dst.Pid, LibC.SIGKILL); },
        };
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<VmmException>(() => src.MigrateAsync("127.0.0.1", port, slow, progress, CancellationToken.None));
        output.WriteLine($"{sw.ElapsedMilliseconds} ms: {e.Message}");
        Assert.DoesNotContain("timed out", e.Message);
        Assert.Equal("running", await src.QueryQemuStatusAsync(CancellationToken.None));
        var exit = await dst.Exited.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(9, exit.Signal);
    }

    private async Task<(QemuProcess Src, QemuProcess Dst, int Port)> PairAsync()
    {
        // A BIOS VM still has a few MB of non-zero RAM to send: at 32 to 64 KiB/s that takes far longer than the test.
        var src = (QemuProcess)_run.Track(await _driver.StartAsync(_run.Spec(memoryMiB: 256, sub: "src"), CancellationToken.None));
        var port = FreePort();
        var dst = (QemuProcess)_run.Track(await _driver.StartIncomingAsync(_run.Spec(memoryMiB: 256, sub: "dst"), port, CancellationToken.None));
        return (src, dst, port);
    }

    private async Task AssertHeartbeatAsync(VmmLaunchSpec spec)
    {
        // The target's serial log starts empty; a heartbeat in it means the guest continued there (every 3 s).
        var ok = await TestEnvironment.WaitUntilAsync(() => Serial(spec).Contains("tiny-guest: heartbeat"), TimeSpan.FromSeconds(8), 100);
        Assert.True(ok, $"no heartbeat in {spec.SerialLogPath}:\n{Serial(spec)}");
        output.WriteLine($"{spec.RunDir}: {Serial(spec).Trim()}");
    }

    private static string Serial(VmmLaunchSpec spec)
    {
        if (!File.Exists(spec.SerialLogPath)) return "";
        using var f = new FileStream(spec.SerialLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(f).ReadToEnd();
    }
}
