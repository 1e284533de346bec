namespace Actors.Domains;

/// <summary>Where a domain's files live on a server: DATA_DIR/domains/NAME/ holds disks and the VMM's run files.</summary>
public sealed record DomainLayout(string DataDir)
{
    public string DomainDir(string name) => Path.Combine(DataDir, "domains", name);
    public string DiskPath(string name, int index) => Path.Combine(DomainDir(name), $"disk{index}.qcow2");
    public string RunDir(string name) => Path.Combine(DomainDir(name), "run");
}
