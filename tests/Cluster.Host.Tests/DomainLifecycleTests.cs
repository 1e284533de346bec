using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>A real node driven by the real vmc, running the tiny real guest under QEMU.</summary>
public sealed class DomainLifecycleTests
{
    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Tiny_guest_boots_pauses_resumes_powers_off_by_itself_and_is_deleted()
    {
        await using var node = await NodeProcess.StartAsync();
        var (kernel, initrd) = TestPaths.TinyGuest;

        var create = await Vmc.RunAsync(node.Api, "domain", "create", "web1", "--vcpus", "1", "--memory", "128",
            "--disk", "64M", "--kernel", kernel, "--initrd", initrd, "--cmdline", "console=ttyS0 quiet panic=-1");
        Assert.True(create.ExitCode == 0, create.ToString());

        var start = await Vmc.RunAsync(node.Api, "domain", "start", "web1", "--wait");
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Contains("start web1 succeeded", start.Out);
        var running = await Vmc.DomainAsync(node.Api, "web1");
        Assert.Equal("running", running.GetProperty("state").GetString());
        Assert.Equal(node.Name, running.GetProperty("server").GetString());
        var pid = running.GetProperty("pid").GetInt32();
        Assert.Equal([pid], QemuProcesses.Of(node.DataDir, "web1"));
        Assert.True(File.Exists(Path.Combine(node.DataDir, "domains", "web1", "disk0.qcow2")), "the disk image was made");

        var serial = Path.Combine(node.DataDir, "domains", "web1", "run", "serial.log");
        await Poll.UntilAsync(() => File.Exists(serial) && File.ReadAllText(serial).Contains("tiny-guest: booted"),
            Boot, "the guest prints its boot line on the serial console");

        // The node's load sampler sees the server and the domain's QEMU (a sample every 2 s).
        await Poll.UntilAsync(async () => (await Vmc.RunAsync(node.Api, "server", "show", node.Name, "--json")).Json,
            server => server.TryGetProperty("cpuPercent", out var cpu) && cpu.ValueKind == System.Text.Json.JsonValueKind.Number
                      && server.GetProperty("topDomains").EnumerateArray().Any(d => d.GetProperty("name").GetString() == "web1"),
            TimeSpan.FromSeconds(30), "server show reports the load and web1 among its domains");

        var pause = await Vmc.RunAsync(node.Api, "domain", "pause", "web1", "--wait");
        Assert.True(pause.ExitCode == 0, pause.ToString());
        Assert.Equal("paused", (await Vmc.DomainAsync(node.Api, "web1")).GetProperty("state").GetString());

        var resume = await Vmc.RunAsync(node.Api, "domain", "resume", "web1", "--wait");
        Assert.True(resume.ExitCode == 0, resume.ToString());
        Assert.Equal("running", (await Vmc.DomainAsync(node.Api, "web1")).GetProperty("state").GetString());

        // A generous timeout: the stop must end by the guest's own power-off, not by a kill.
        var stop = await Vmc.RunAsync(node.Api, "domain", "stop", "web1", "--timeout", "120", "--wait");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        var stopped = await Vmc.DomainAsync(node.Api, "web1");
        Assert.Equal("stopped", stopped.GetProperty("state").GetString());
        Assert.Equal("guest-shutdown", stopped.GetProperty("lastExit").GetString());
        Assert.Contains("powering off", File.ReadAllText(serial));
        Assert.Empty(QemuProcesses.Of(node.DataDir, "web1"));

        var delete = await Vmc.RunAsync(node.Api, "domain", "delete", "web1");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        var list = await Vmc.RunAsync(node.Api, "domain", "list", "--json");
        Assert.Equal(0, list.Json.GetArrayLength());
        Assert.False(Directory.Exists(Path.Combine(node.DataDir, "domains", "web1")), "delete removes the domain's files");
        var show = await Vmc.RunAsync(node.Api, "domain", "show", "web1");
        Assert.Equal(1, show.ExitCode);
        Assert.Contains("domain web1 does not exist", show.Err);
    }

    [Fact]
    public async Task A_guest_that_ignores_the_power_button_is_killed_when_the_stop_timeout_passes()
    {
        await using var node = await NodeProcess.StartAsync();
        // No kernel: SeaBIOS finds nothing to boot and halts; it has no ACPI handling.
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "create", "bios1", "--vcpus", "1", "--memory", "64")).ExitCode);
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "start", "bios1", "--wait")).ExitCode);

        var stop = await Vmc.RunAsync(node.Api, "domain", "stop", "bios1", "--timeout", "1", "--wait");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        var stopped = await Vmc.DomainAsync(node.Api, "bios1");
        Assert.Equal("stopped", stopped.GetProperty("state").GetString());
        Assert.StartsWith("killed after the guest ignored power-down", stopped.GetProperty("lastExit").GetString());
        Assert.Empty(QemuProcesses.Of(node.DataDir, "bios1"));
    }
}
