namespace Vmm.Native;

/// <summary>What this server offers to domains: measured once at node start.</summary>
public sealed record HostFacts(int Cpus, long MemoryMiB, string Hypervisor, string? QemuVersion, string VmmDriver);
