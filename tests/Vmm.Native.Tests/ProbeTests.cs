namespace Vmm.Native.Tests;

public sealed class ProbeTests
{
    [Fact]
    public void Kvm_needs_device_and_cpu_flags()
    {
        const string withVmx = "processor\t: 0\nflags\t\t: fpu vme vmx sse\n";
        const string without = "processor\t: 0\nflags\t\t: fpu vme sse hypervisor\n";
        Assert.Equal("kvm", HypervisorProbe.Decide(null, true, withVmx));
        Assert.Equal("kvm", HypervisorProbe.Decide(null, true, "flags : svm"));
        Assert.Equal("tcg", HypervisorProbe.Decide(null, true, without));
        Assert.Equal("tcg", HypervisorProbe.Decide(null, false, withVmx));
    }

    [Fact]
    public void Environment_override_wins_and_is_validated()
    {
        Assert.Equal("tcg", HypervisorProbe.Decide("tcg", true, "flags : vmx"));
        Assert.Equal("kvm", HypervisorProbe.Decide("KVM", false, ""));
        var e = Assert.Throws<VmmException>(() => HypervisorProbe.Decide("hvf", false, ""));
        Assert.Contains("VMC_ACCEL", e.Message);
    }

    [Fact]
    public void This_machine_uses_tcg()
    {
        // QEMU.md: /dev/kvm exists here but KVM is not usable.
        if (Environment.GetEnvironmentVariable(HypervisorProbe.EnvironmentVariable) is null)
            Assert.Equal("tcg", HypervisorProbe.Detect());
    }

    [Fact]
    public void Parses_meminfo_and_qemu_version()
    {
        Assert.Equal(2048, HostFactsProbe.ParseMemTotalMiB("MemFree: 1 kB\nMemTotal:        2097152 kB\n"));
        Assert.Equal("7.2.22", HostFactsProbe.ParseQemuVersion("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright"));
        Assert.Null(HostFactsProbe.ParseQemuVersion("nonsense"));
    }

    [Fact]
    public async Task Probes_this_host()
    {
        var facts = await HostFactsProbe.ProbeAsync("qemu", CancellationToken.None);
        Assert.Equal(Environment.ProcessorCount, facts.Cpus);
        Assert.True(facts.MemoryMiB > 100);
        Assert.Matches(@"^\d+\.\d+", facts.QemuVersion);
        Assert.Equal("qemu", facts.VmmDriver);
        Assert.Null(await HostFactsProbe.QemuVersionAsync("qemu-system-does-not-exist", CancellationToken.None));
    }
}
