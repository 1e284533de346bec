using Vmm.Native;
using Vmm.Native.Qemu;
using Vmm.Native.Simulated;

namespace Cluster.Host;

/// <summary>Picks the VMM driver: QEMU wherever it is installed, unless --vmm says otherwise.</summary>
public static class VmmSelection
{
    /// <param name="host">This server's cluster host: incoming live migrations listen there.</param>
    public static async Task<(IVmmDriver Driver, HostFacts Facts)> ChooseAsync(string? requested, string host)
    {
        var qemuFacts = await HostFactsProbe.ProbeAsync("qemu", CancellationToken.None);
        var name = requested ?? (qemuFacts.QemuVersion is null ? "simulated" : "qemu");
        if (name == "qemu" && qemuFacts.QemuVersion is null)
            throw new InvalidOperationException("--vmm qemu: qemu-system-x86_64 is not installed (ops/run.sh installs it)");
        IVmmDriver driver = name == "qemu" ? new QemuDriver(new QemuDriverOptions { MigrationHost = host }) : new SimulatedDriver();
        return (driver, qemuFacts with { VmmDriver = name });
    }
}
