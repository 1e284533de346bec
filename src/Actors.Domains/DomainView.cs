namespace Actors.Domains;

/// <summary>What the API and vmc show of a domain.</summary>
public sealed record DomainView(
    string Name,
    string State,
    string DesiredState,
    string? Server,
    int Vcpus,
    int MemoryMiB,
    IReadOnlyList<DiskView> Disks,
    string Restart,
    bool Ha,
    string Pool,
    string? Kernel,
    string? Initrd,
    string? Cmdline,
    int? Pid,
    string? LastError,
    string? LastExit,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt)
{
    /// <summary>A domain that did not answer, as the replicated index last saw it.</summary>
    public static DomainView Unknown(Index.DomainIndexEntry e) =>
        new(e.Name, "unknown", e.Desired, e.Server, e.Vcpus, e.MemoryMiB, [], "", e.Ha, e.Pool, null, null, null, null,
            $"domain {e.Name} did not answer; last seen {e.State} on {e.Server}", null, null, e.UpdatedAt);

    public static DomainView Of(DomainState s, DomainLayout layout, string server)
    {
        var spec = s.Spec ?? throw new InvalidOperationException("a domain that does not exist has no view");
        return new DomainView(
            spec.Name, s.StateWord, s.Desired.ToString().ToLowerInvariant(), s.Server ?? server, spec.Vcpus, spec.MemoryMiB,
            [.. spec.DiskSizesBytes.Select((size, i) => new DiskView(size, layout.DiskPath(spec.Name, i)))],
            spec.Restart.ToWire(), spec.Ha, spec.Pool, spec.Kernel, spec.Initrd, spec.Cmdline, s.Pid, s.LastError, s.LastExit, s.CreatedAt, s.UpdatedAt);
    }
}

public sealed record DiskView(long SizeBytes, string Path);

