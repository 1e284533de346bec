using Vmm.Native.Simulated;

namespace Vmm.Native.Tests;

public sealed class SimulatedDriverTests
{
    private static VmmLaunchSpec Spec(string name = "sim1") => new(name, 2, 256, [], null, null, null, "/tmp/vmt-sim/" + name);

    [Fact]
    public async Task Starts_pauses_resumes_and_powers_down()
    {
        var driver = new SimulatedDriver();
        var vm = await driver.StartAsync(Spec(), CancellationToken.None);
        Assert.True(vm.Pid >= SimulatedDriver.FirstPid);
        Assert.Equal("simulated", driver.Name);
        Assert.Equal(VmmRunState.Running, await vm.QueryStatusAsync(CancellationToken.None));
        await vm.PauseAsync(CancellationToken.None);
        Assert.Equal(VmmRunState.Paused, await vm.QueryStatusAsync(CancellationToken.None));
        await vm.ResumeAsync(CancellationToken.None);
        Assert.Equal(VmmRunState.Running, await vm.QueryStatusAsync(CancellationToken.None));
        await vm.PowerDownAsync(CancellationToken.None);
        var exit = await vm.Exited.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.True(exit.Expected);
        Assert.Equal("guest-shutdown", exit.Reason);
        Assert.Equal(0, driver.LiveCount);
        await Assert.ThrowsAsync<VmmException>(() => vm.PauseAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Guest_that_ignores_acpi_keeps_running_until_killed()
    {
        var driver = new SimulatedDriver(new SimulatedDriverOptions { GuestHonoursPowerDown = false });
        var vm = (SimulatedProcess)await driver.StartAsync(Spec(), CancellationToken.None);
        await vm.PowerDownAsync(CancellationToken.None);
        Assert.False(vm.Exited.IsCompleted);
        Assert.Equal(1, vm.PowerDownRequests);
        await vm.KillAsync();
        var exit = await vm.Exited;
        Assert.False(exit.Expected);
        Assert.Equal(9, exit.Signal);
    }

    [Fact]
    public async Task Power_down_delay_is_honoured()
    {
        var driver = new SimulatedDriver(new SimulatedDriverOptions { PowerDownDelay = TimeSpan.FromMilliseconds(100) });
        var vm = await driver.StartAsync(Spec(), CancellationToken.None);
        await vm.PowerDownAsync(CancellationToken.None);
        Assert.False(vm.Exited.IsCompleted);
        Assert.True((await vm.Exited.WaitAsync(TimeSpan.FromSeconds(2))).Expected);
    }

    [Fact]
    public async Task Crash_is_an_unexpected_exit()
    {
        var driver = new SimulatedDriver();
        var vm = (SimulatedProcess)await driver.StartAsync(Spec(), CancellationToken.None);
        vm.Crash();
        var exit = await vm.Exited;
        Assert.False(exit.Expected);
        Assert.Equal("killed by signal 9", exit.Reason);
        Assert.Null(await driver.TryAdoptAsync(Spec(), CancellationToken.None));
    }

    [Fact]
    public async Task Detached_machine_is_adopted_and_a_second_start_refused()
    {
        var driver = new SimulatedDriver();
        var vm = await driver.StartAsync(Spec(), CancellationToken.None);
        await vm.DisposeAsync();
        Assert.True(vm.Exited.IsCanceled);
        await Assert.ThrowsAsync<VmmException>(() => driver.StartAsync(Spec(), CancellationToken.None));

        var adopted = await driver.TryAdoptAsync(Spec(), CancellationToken.None);
        Assert.NotNull(adopted);
        Assert.Equal(vm.Pid, adopted.Pid);
        await adopted.PauseAsync(CancellationToken.None);
        Assert.Equal(VmmRunState.Paused, await adopted.QueryStatusAsync(CancellationToken.None));
        Assert.Null(await driver.TryAdoptAsync(Spec("other"), CancellationToken.None));
        Assert.Null(await new SimulatedDriver().TryAdoptAsync(Spec(), CancellationToken.None));
    }

    [Fact]
    public async Task Start_failure_and_disks()
    {
        var driver = new SimulatedDriver(new SimulatedDriverOptions { StartFailure = s => s.DomainName == "bad" ? "simulated failure" : null });
        var e = await Assert.ThrowsAsync<VmmException>(() => driver.StartAsync(Spec("bad"), CancellationToken.None));
        Assert.Equal("simulated failure", e.Message);

        var disk = Path.Combine(Path.GetTempPath(), "vmt-" + Guid.NewGuid().ToString("N")[..8], "d.qcow2");
        try
        {
            await driver.CreateDiskAsync(disk, 1 << 20, CancellationToken.None);
            Assert.True(File.Exists(disk));
            await Assert.ThrowsAsync<VmmException>(() => driver.CreateDiskAsync(disk, 1 << 20, CancellationToken.None));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(disk)!, true);
        }
    }
}
