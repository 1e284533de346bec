using Vmm.Native;

namespace Actors.Domains;

/// <summary>Where a domain's files live on a server: DATA_DIR/domains/NAME/ holds disks and the VMM's run files.</summary>
public sealed record DomainLayout(string DataDir)
{
    /// <summary>Where every domain's directory is (the VMMs of this server are found by it).</summary>
    public string DomainsDir => Path.Combine(DataDir, "domains");
    public string DomainDir(string name) => Path.Combine(DomainsDir, name);
    public string DiskPath(string name, int index) => Path.Combine(DomainDir(name), $"disk{index}.qcow2");
    public string RunDir(string name) => Path.Combine(DomainDir(name), "run");

    /// <summary>What the VMM driver needs to run this domain on this server.</summary>
    public VmmLaunchSpec LaunchSpec(DomainSpec spec) =>
        new(spec.Name, spec.Vcpus, spec.MemoryMiB, [.. spec.DiskSizesBytes.Select((_, i) => DiskPath(spec.Name, i))],
            spec.Kernel, spec.Initrd, spec.Cmdline, RunDir(spec.Name));
}
