using Akka.Configuration;
using Vmm.Native;
using Vmm.Native.Qemu;
using Vmm.Native.Simulated;

namespace Cluster.Host;

/// <summary>Picks the VMM driver: QEMU wherever it is installed, unless --vmm says otherwise.</summary>
public static class VmmSelection
{
    /// <param name="host">This server's cluster host: incoming live migrations listen there.</param>
    /// <param name="simulatedServer">vmc.simulated-server: the size a simulated server reports (0: this machine's).</param>
    public static async Task<(IVmmDriver Driver, HostFacts Facts)> ChooseAsync(string? requested, string host, Config simulatedServer)
    {
        var qemuFacts = await HostFactsProbe.ProbeAsync("qemu", CancellationToken.None);
        var name = requested ?? (qemuFacts.QemuVersion is null ? "simulated" : "qemu");
        if (name == "qemu" && qemuFacts.QemuVersion is null)
            throw new InvalidOperationException("--vmm qemu: qemu-system-x86_64 is not installed (ops/run.sh installs it)");
        IVmmDriver driver = name == "qemu" ? new QemuDriver(new QemuDriverOptions { MigrationHost = host }) : new SimulatedDriver();
        if (name == "qemu") return (driver, qemuFacts with { VmmDriver = name });
        var cpus = simulatedServer.GetInt("cpus", 0);
        var memory = simulatedServer.GetLong("memory-mib", 0);
        if (cpus < 0 || memory < 0)
            throw new ArgumentException($"vmc.simulated-server: cpus and memory-mib must be 0 (this machine's) or more; got {cpus} and {memory}");
        return (driver, qemuFacts with
        {
            VmmDriver = name,
            Cpus = cpus > 0 ? cpus : qemuFacts.Cpus,
            MemoryMiB = memory > 0 ? memory : qemuFacts.MemoryMiB,
        });
    }
}
