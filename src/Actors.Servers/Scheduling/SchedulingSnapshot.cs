using Actors.Domains.Index;
using Actors.Servers.Load;

namespace Actors.Servers.Scheduling;

/// <summary>
/// A server as the scheduler sees it. Status: "up", "unreachable", "down" (no longer a cluster member), …
/// A server in maintenance takes no new domains; <paramref name="Load"/> is its last sample (null: none yet).
/// </summary>
public sealed record ServerCapacity(string Name, string Address, string Pool, int Cpus, long MemoryMiB, string Status,
    bool Maintenance = false, ServerLoad? Load = null)
{
    public bool Up => Status == "up";
    public bool Down => Status == "down";
    public double CpuPercent => Load?.CpuPercent ?? 0;
}

/// <summary>Domains of one pool that never share a server.</summary>
public sealed record AntiAffinityGroup(string Name, string Pool, IReadOnlyList<string> Domains);

/// <summary>
/// Everything a scheduling decision reads: the servers, the domains (with decisions already made in the same
/// round applied, so that they share the room left), each pool's settings (a pool not listed has the defaults)
/// and the anti-affinity groups.
/// </summary>
public sealed record SchedulingSnapshot(
    IReadOnlyList<ServerCapacity> Servers,
    IReadOnlyCollection<DomainIndexEntry> Domains,
    IReadOnlyDictionary<string, PoolSettings>? Pools = null,
    IReadOnlyList<AntiAffinityGroup>? Groups = null)
{
    public PoolSettings SettingsOf(string pool) => Pools?.GetValueOrDefault(pool) ?? PoolSettings.DefaultFor(pool);

    public AntiAffinityGroup? GroupOf(string domain) => Groups?.FirstOrDefault(g => g.Domains.Contains(domain));

    private DomainUse? _use;

    /// <summary>
    /// The domains by name and what those holding resources use on each server, worked out once per snapshot: a
    /// thousand starts placed on one snapshot of 100,000 domains each summed them all again (most of a node's CPU).
    /// Tied to <see cref="Domains"/>: a copy with other domains (<c>with</c>) works them out again.
    /// </summary>
    public DomainUse Use => _use is { } use && ReferenceEquals(use.Source, Domains) ? use : _use = DomainUse.Of(Domains);
}

/// <summary>The domains of a snapshot by name, and per server the vCPUs and memory of those that hold resources.</summary>
public sealed record DomainUse(
    IReadOnlyCollection<DomainIndexEntry> Source,
    IReadOnlyDictionary<string, DomainIndexEntry> Domains,
    IReadOnlyDictionary<string, (int Vcpus, long MemoryMiB)> ByServer)
{
    public static DomainUse Of(IReadOnlyCollection<DomainIndexEntry> domains)
    {
        var byName = new Dictionary<string, DomainIndexEntry>(domains.Count, StringComparer.Ordinal);
        var byServer = new Dictionary<string, (int Vcpus, long MemoryMiB)>(StringComparer.Ordinal);
        foreach (var d in domains)
        {
            byName[d.Name] = d;
            if (!d.UsesResources) continue;
            var u = byServer.GetValueOrDefault(d.Server);
            byServer[d.Server] = (u.Vcpus + d.Vcpus, u.MemoryMiB + d.MemoryMiB);
        }
        return new DomainUse(domains, byName, byServer);
    }
}
