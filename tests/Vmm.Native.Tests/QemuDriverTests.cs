using System.Diagnostics;
using System.Net.Sockets;
using Vmm.Native.Linux;
using Vmm.Native.Qemu;
using Xunit.Abstractions;

namespace Vmm.Native.Tests;

/// <summary>Real QEMU, BIOS only (nothing to boot): control, exit detection, adoption, safety.</summary>
public sealed class QemuDriverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempRun _run = new();
    private readonly QemuDriver _driver = new(new QemuDriverOptions { Accelerator = "tcg" });

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _run.DisposeAsync();

    [Fact]
    public async Task Starts_running_and_pauses_and_resumes()
    {
        var sw = Stopwatch.StartNew();
        var vm = _run.Track(await _driver.StartAsync(_run.Spec(), CancellationToken.None));
        output.WriteLine($"StartAsync to QMP running: {sw.ElapsedMilliseconds} ms (exec to running {_driver.LastStartLatency?.TotalMilliseconds:0} ms)");

        Assert.Equal(VmmRunState.Running, await vm.QueryStatusAsync(CancellationToken.None));
        Assert.Equal(int.Parse(File.ReadAllText(Path.Combine(_run.Spec().RunDir, "qemu.pid")).Trim()), vm.Pid);
        Assert.True(QemuCommandLine.IsOurs(ProcFs.ReadCmdline(vm.Pid), "dom1", QemuRunPaths.For(_run.Spec())));

        await vm.PauseAsync(CancellationToken.None);
        Assert.Equal(VmmRunState.Paused, await vm.QueryStatusAsync(CancellationToken.None));
        await vm.ResumeAsync(CancellationToken.None);
        Assert.Equal(VmmRunState.Running, await vm.QueryStatusAsync(CancellationToken.None));

        // QEMU runs in its own session, so signals to our process group do not reach it.
        var stat = File.ReadAllText($"/proc/{vm.Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(vm.Pid.ToString(), fields[3]); // session id == its own pid

        await vm.KillAsync();
        var exit = await vm.Exited;
        Assert.False(exit.Expected);
        Assert.Equal(9, exit.Signal);
        Assert.Equal("killed by signal 9", exit.Reason);
    }

    [Fact]
    public async Task Kill_9_from_outside_is_noticed_within_two_seconds()
    {
        var vm = _run.Track(await _driver.StartAsync(_run.Spec(), CancellationToken.None));
        var sw = Stopwatch.StartNew();
        var (code, text) = TestEnvironment.Run("kill", "-9", vm.Pid.ToString());
        Assert.True(code == 0, text);
        var exit = await vm.Exited.WaitAsync(TimeSpan.FromSeconds(2));
        output.WriteLine($"kill -9 to Exited: {sw.ElapsedMilliseconds} ms");
        Assert.False(exit.Expected);
        Assert.Equal("killed by signal 9", exit.Reason);
        // Reaped: no zombie left behind.
        Assert.True(await TestEnvironment.WaitUntilAsync(() => !Directory.Exists($"/proc/{vm.Pid}"), TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Quit_is_an_expected_exit()
    {
        var vm = (QemuProcess)_run.Track(await _driver.StartAsync(_run.Spec(), CancellationToken.None));
        var exit = await vm.QuitAsync(CancellationToken.None);
        Assert.True(exit.Expected);
        Assert.Equal("host-qmp-quit", exit.Reason);
        Assert.Equal(0, exit.ExitCode);
    }

    [Fact]
    public async Task Bios_guest_ignores_power_button()
    {
        var vm = _run.Track(await _driver.StartAsync(_run.Spec(), CancellationToken.None));
        await vm.PowerDownAsync(CancellationToken.None);
        await Task.WhenAny(vm.Exited, Task.Delay(500));
        Assert.False(vm.Exited.IsCompleted);
        Assert.Equal(VmmRunState.Running, await vm.QueryStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Detached_vm_is_adopted_by_a_new_driver()
    {
        var spec = _run.Spec();
        var first = await _driver.StartAsync(spec, CancellationToken.None);
        var pid = first.Pid;
        await first.DisposeAsync(); // detach: QEMU keeps running
        Assert.True(first.Exited.IsCanceled);
        Assert.True(ProcFs.IsAliveAndNotZombie(pid));

        // A second start of the same domain in the same run dir is refused while it lives.
        var refused = await Assert.ThrowsAsync<VmmException>(() => _driver.StartAsync(spec, CancellationToken.None));
        Assert.Contains("already has a running QEMU", refused.Message);

        var adopted = await new QemuDriver(new QemuDriverOptions { Accelerator = "tcg" }).TryAdoptAsync(spec, CancellationToken.None);
        Assert.NotNull(adopted);
        _run.Track(adopted);
        Assert.Equal(pid, adopted.Pid);
        await adopted.PauseAsync(CancellationToken.None);
        Assert.Equal(VmmRunState.Paused, await adopted.QueryStatusAsync(CancellationToken.None));
        await adopted.KillAsync();
        var exit = await adopted.Exited;
        Assert.False(exit.Expected);
        Assert.Equal("killed by signal 9", exit.Reason);
        Assert.True(await TestEnvironment.WaitUntilAsync(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(2)), "zombie left");
    }

    /// <summary>A running QEMU, detached (as after its actor stopped), whose QMP another client holds.</summary>
    private async Task<(VmmLaunchSpec Spec, int Pid, QmpClient Holder)> DetachedQemuWithQmpHeldAsync()
    {
        var spec = _run.Spec();
        var first = await _driver.StartAsync(spec, CancellationToken.None);
        await first.DisposeAsync(); // detach: QEMU keeps running
        var holder = await QmpClient.ConnectAsync(QemuRunPaths.For(spec).QmpSocket, _ => { }, TimeSpan.FromSeconds(5), CancellationToken.None);
        return (spec, first.Pid, holder);
    }

    private static Task<IVmmProcess?> AdoptAsync(VmmLaunchSpec spec, TimeSpan handshakeTimeout) =>
        new QemuDriver(new QemuDriverOptions { Accelerator = "tcg", QmpHandshakeTimeout = handshakeTimeout }).TryAdoptAsync(spec, CancellationToken.None);

    private async Task AssertAdoptedAsync(Task<IVmmProcess?> adopting, int pid)
    {
        var adopted = _run.Track((await adopting)!);
        Assert.Equal(pid, adopted.Pid);
        Assert.Equal(VmmRunState.Running, await adopted.QueryStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Adoption_waits_for_a_qmp_client_that_is_still_connected_to_let_go()
    {
        // The other client holds QMP (as a previous incarnation of the domain's actor did) for longer than one handshake.
        var (spec, pid, other) = await DetachedQemuWithQmpHeldAsync();
        var adopting = AdoptAsync(spec, TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the first handshake has timed out by now
        Assert.False(adopting.IsCompleted);
        await other.DisposeAsync();

        await AssertAdoptedAsync(adopting, pid);
    }

    [Fact]
    public async Task A_qemu_whose_qmp_never_answers_is_killed_not_left_running_unmanaged()
    {
        // The other client holds QMP for longer than every attempt of the adoption.
        var (spec, pid, other) = await DetachedQemuWithQmpHeldAsync();
        await using var _ = other;

        var error = await Assert.ThrowsAsync<VmmException>(() => AdoptAsync(spec, TimeSpan.FromMilliseconds(500)));
        Assert.Contains("killed", error.Message);
        Assert.True(await TestEnvironment.WaitUntilAsync(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(5)), "QEMU still runs");
    }

    [Fact]
    public async Task Adoption_waits_for_room_in_a_qmp_socket_whose_backlog_is_full()
    {
        var (spec, pid, other) = await DetachedQemuWithQmpHeldAsync();
        var path = QemuRunPaths.For(spec).QmpSocket;
        // QEMU accepts no second client while one is connected: connections wait in its listen backlog until that is
        // full, then a connection fails at once with EAGAIN (what a busy QEMU answered an adoption in CI).
        var waiting = new List<Socket>();
        Task<IVmmProcess?> adopting;
        try
        {
            while (waiting.Count < 256)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false };
                try
                {
                    socket.Connect(new UnixDomainSocketEndPoint(path));
                    waiting.Add(socket);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain)
                {
                    socket.Dispose();
                    break;
                }
            }
            Assert.True(waiting.Count < 256, "the QMP socket's backlog never filled");
            adopting = AdoptAsync(spec, TimeSpan.FromSeconds(2));
            await Task.Delay(TimeSpan.FromSeconds(1)); // several refused connections by now
            Assert.False(adopting.IsCompleted);
        }
        finally
        {
            foreach (var socket in waiting) socket.Dispose();
            await other.DisposeAsync();
        }

        await AssertAdoptedAsync(adopting, pid);
    }

    [Fact]
    public async Task Adopts_a_qemu_that_is_not_our_child_and_notices_its_death()
    {
        var spec = _run.Spec();
        var paths = QemuRunPaths.For(spec);
        Directory.CreateDirectory(paths.RunDir);
        var args = QemuCommandLine.Build(spec, paths, "tcg");
        // Double fork through a shell: QEMU's parent becomes init, as after a node restart.
        var script = "setsid \"$@\" </dev/null >/dev/null 2>&1 &";
        var (code, text) = TestEnvironment.Run("/bin/sh", ["-c", script, "sh", "qemu-system-x86_64", .. args]);
        Assert.True(code == 0, text);
        Assert.True(await TestEnvironment.WaitUntilAsync(() => File.Exists(paths.QmpSocket) && File.Exists(paths.PidFile), TimeSpan.FromSeconds(5)));

        var vm = (QemuProcess?)_run.Track((await _driver.TryAdoptAsync(spec, CancellationToken.None))!);
        Assert.NotNull(vm);
        Assert.False(vm.IsChild);
        Assert.Equal(VmmRunState.Running, await vm.QueryStatusAsync(CancellationToken.None));

        var sw = Stopwatch.StartNew();
        Assert.Equal(0, TestEnvironment.Run("kill", "-9", vm.Pid.ToString()).Code);
        var exit = await vm.Exited.WaitAsync(TimeSpan.FromSeconds(2));
        output.WriteLine($"adopted: kill -9 to Exited {sw.ElapsedMilliseconds} ms: {exit}");
        Assert.False(exit.Expected);
    }

    [Fact]
    public async Task Stale_pid_file_is_removed_and_nothing_adopted()
    {
        var spec = _run.Spec();
        Directory.CreateDirectory(spec.RunDir);
        var pidFile = Path.Combine(spec.RunDir, "qemu.pid");

        // A pid that no longer exists.
        var (code, text) = TestEnvironment.Run("/bin/sh", "-c", "echo $$");
        Assert.Equal(0, code);
        var deadPid = int.Parse(text.Trim());
        await File.WriteAllTextAsync(pidFile, deadPid + "\n");
        Assert.Null(await _driver.TryAdoptAsync(spec, CancellationToken.None));
        Assert.False(File.Exists(pidFile));

        // Garbage.
        await File.WriteAllTextAsync(pidFile, "not a pid\n");
        Assert.Null(await _driver.TryAdoptAsync(spec, CancellationToken.None));

        // No pid file at all.
        Assert.Null(await _driver.TryAdoptAsync(spec, CancellationToken.None));
    }

    [Fact]
    public async Task Foreign_pid_is_never_adopted_or_killed()
    {
        var spec = _run.Spec();
        Directory.CreateDirectory(spec.RunDir);
        var pidFile = Path.Combine(spec.RunDir, "qemu.pid");

        // Our own test process.
        await File.WriteAllTextAsync(pidFile, Environment.ProcessId + "\n");
        Assert.Null(await _driver.TryAdoptAsync(spec, CancellationToken.None));

        // Another process, and a QemuProcess pointed at it: KillAsync refuses.
        using var sleeper = Process.Start("sleep", "30");
        try
        {
            await File.WriteAllTextAsync(pidFile, sleeper.Id + "\n");
            Assert.Null(await _driver.TryAdoptAsync(spec, CancellationToken.None));
            var watch = PidWatch.Open(sleeper.Id)!;
            var wrong = new QemuProcess("dom1", QemuRunPaths.For(spec), watch, child: null);
            var e = await Assert.ThrowsAsync<VmmException>(wrong.KillAsync);
            Assert.Contains("not killed", e.Message);
            await wrong.DisposeAsync();
            Assert.False(sleeper.HasExited);
        }
        finally
        {
            sleeper.Kill();
        }
        Assert.True(ProcFs.IsAliveAndNotZombie(Environment.ProcessId));
    }

    [Fact]
    public async Task Other_domain_in_the_same_run_dir_is_not_adopted()
    {
        var vm = _run.Track(await _driver.StartAsync(_run.Spec("domA"), CancellationToken.None));
        Assert.Null(await _driver.TryAdoptAsync(_run.Spec("domB"), CancellationToken.None));
        Assert.True(ProcFs.IsAliveAndNotZombie(vm.Pid));
    }

    [Fact]
    public async Task Creates_a_qcow2_disk_and_boots_with_it()
    {
        var disk = Path.Combine(_run.Dir, "disks", "d1.qcow2");
        await _driver.CreateDiskAsync(disk, 64L << 20, CancellationToken.None);
        var (code, info) = TestEnvironment.Run("qemu-img", "info", disk);
        Assert.True(code == 0, info);
        Assert.Contains("file format: qcow2", info);
        Assert.Contains("virtual size: 64 MiB", info);

        var again = await Assert.ThrowsAsync<VmmException>(() => _driver.CreateDiskAsync(disk, 64L << 20, CancellationToken.None));
        Assert.Contains("already exists", again.Message);

        var vm = _run.Track(await _driver.StartAsync(_run.Spec(disks: [disk]), CancellationToken.None));
        Assert.Contains($"file={disk},format=qcow2,if=virtio", ProcFs.ReadCmdline(vm.Pid));
    }

    [Fact]
    public async Task Clear_errors()
    {
        var tooLong = _run.Spec() with { RunDir = "/tmp/" + new string('x', 100) };
        var e = await Assert.ThrowsAsync<VmmException>(() => _driver.StartAsync(tooLong, CancellationToken.None));
        Assert.Contains("qmp.sock", e.Message);
        Assert.Contains("107", e.Message);

        e = await Assert.ThrowsAsync<VmmException>(() => _driver.StartAsync(_run.Spec(disks: ["/nonexistent/x.qcow2"]), CancellationToken.None));
        Assert.Contains("/nonexistent/x.qcow2", e.Message);

        // QEMU refuses the command line: the error carries its own message.
        e = await Assert.ThrowsAsync<VmmException>(() => _driver.StartAsync(_run.Spec(memoryMiB: 1 << 30), CancellationToken.None));
        output.WriteLine(e.Message);
        Assert.Contains("before QMP answered", e.Message);

        var missing = new QemuDriver(new QemuDriverOptions { Accelerator = "tcg", QemuBinary = "qemu-system-nope" });
        e = await Assert.ThrowsAsync<VmmException>(() => missing.StartAsync(_run.Spec(sub: "nope"), CancellationToken.None));
        output.WriteLine(e.Message);
        Assert.Contains("qemu-system-nope", e.Message);

        e = await Assert.ThrowsAsync<VmmException>(() => _driver.CreateDiskAsync(Path.Combine(_run.Dir, "bad.qcow2"), -1, CancellationToken.None));
        Assert.Contains("size", e.Message);
    }
}
