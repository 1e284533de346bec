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
}
