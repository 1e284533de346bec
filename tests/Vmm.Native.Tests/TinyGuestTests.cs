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

    private static string ReadShared(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(f).ReadToEnd();
    }
}
