using System.Diagnostics;
using Vmm.Native.Qemu;
using Xunit.Abstractions;

namespace Vmm.Native.Tests;

/// <summary>A real Linux guest (ops/guest/build.sh): boots, prints to the serial log, powers off on ACPI.</summary>
public sealed class TinyGuestTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempRun _run = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _run.DisposeAsync();

    [Fact]
    public async Task Boots_and_powers_off_on_the_power_button()
    {
        var (kernel, initrd) = TestEnvironment.TinyGuest;
        var driver = new QemuDriver(new QemuDriverOptions { Accelerator = "tcg" });
        var spec = _run.Spec("tiny", memoryMiB: 128, kernel: kernel, initrd: initrd, cmdline: "console=ttyS0 quiet panic=-1");

        var sw = Stopwatch.StartNew();
        var vm = _run.Track(await driver.StartAsync(spec, CancellationToken.None));
        var started = sw.Elapsed;

        bool Booted() => File.Exists(spec.SerialLogPath) && ReadShared(spec.SerialLogPath).Contains("tiny-guest: booted");
        Assert.True(await TestEnvironment.WaitUntilAsync(Booted, TimeSpan.FromSeconds(30), 50),
            "no boot line; serial log:\n" + (File.Exists(spec.SerialLogPath) ? ReadShared(spec.SerialLogPath) : "(none)"));
        var booted = sw.Elapsed;

        // The guest only arms its power-button watcher before printing the boot line.
        var pd = Stopwatch.StartNew();
        await vm.PowerDownAsync(CancellationToken.None);
        var exit = await vm.Exited.WaitAsync(TimeSpan.FromSeconds(15));
        output.WriteLine($"start to QMP running {started.TotalMilliseconds:0} ms; start to boot line {booted.TotalMilliseconds:0} ms; power-down to exit {pd.ElapsedMilliseconds} ms; {exit}");
        Assert.True(exit.Expected, exit.ToString());
        Assert.Equal("guest-shutdown", exit.Reason);
        Assert.Contains("powering off", ReadShared(spec.SerialLogPath));
    }

    [Fact]
    public async Task With_burn_1_the_guest_keeps_its_vcpu_busy_and_an_idle_one_does_not()
    {
        var (kernel, initrd) = TestEnvironment.TinyGuest;
        var driver = new QemuDriver(new QemuDriverOptions { Accelerator = "tcg" });
        var burning = _run.Spec("burn", memoryMiB: 128, kernel: kernel, initrd: initrd, cmdline: "console=ttyS0 quiet panic=-1 burn=1", sub: "burn");
        var idle = _run.Spec("idle", memoryMiB: 128, kernel: kernel, initrd: initrd, cmdline: "console=ttyS0 quiet panic=-1", sub: "idle");
        var burner = _run.Track(await driver.StartAsync(burning, CancellationToken.None));
        var sleeper = _run.Track(await driver.StartAsync(idle, CancellationToken.None));

        bool Logged(VmmLaunchSpec spec, string line) => File.Exists(spec.SerialLogPath) && ReadShared(spec.SerialLogPath).Contains(line);
        Assert.True(await TestEnvironment.WaitUntilAsync(() => Logged(burning, "tiny-guest: burning CPU") && Logged(idle, "tiny-guest: booted"),
            TimeSpan.FromSeconds(60), 50), "both guests boot and the burner says so; serial log:\n" + ReadShared(burning.SerialLogPath));
        Assert.False(Logged(idle, "burning"), "a guest without burn=1 does not burn");

        var window = TimeSpan.FromSeconds(4);
        var (burnBefore, idleBefore) = (CpuOf(burner.Pid), CpuOf(sleeper.Pid));
        await Task.Delay(window); // the measurement window itself, not a wait for something to happen
        var burned = CpuOf(burner.Pid) - burnBefore;
        var idled = CpuOf(sleeper.Pid) - idleBefore;
        output.WriteLine($"over {window.TotalSeconds} s: burning guest's QEMU {burned.TotalMilliseconds:0} ms CPU, idle guest's {idled.TotalMilliseconds:0} ms");
        Assert.True(burned > window * 0.2, $"the burning guest's QEMU used {burned.TotalMilliseconds:0} ms CPU in {window.TotalSeconds} s");
        Assert.True(burned > idled * 4, $"burning {burned.TotalMilliseconds:0} ms vs idle {idled.TotalMilliseconds:0} ms");
    }

    private static TimeSpan CpuOf(int pid) => Process.GetProcessById(pid).TotalProcessorTime;

    private static string ReadShared(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(f).ReadToEnd();
    }
}
