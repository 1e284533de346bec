using Actors.Domains.Index;
using Actors.Servers.Load;

namespace Actors.Servers.Scheduling;

/// <summary>
/// A server as placement sees it. Status: "up", "unreachable", "down" (no longer a cluster member), …
/// A server in maintenance takes no new domains; <paramref name="Load"/> is its last sample (null: none yet).
/// </summary>
public sealed record ServerCapacity(string Name, string Address, string Pool, int Cpus, long MemoryMiB, string Status,
    bool Maintenance = false, ServerLoad? Load = null)
{
    public bool Up => Status == "up";
    public bool Down => Status == "down";
}

/// <summary>Where should this domain run? <paramref name="Server"/>: the operator's choice, checked like any other.</summary>
public sealed record PlacementRequest(string Domain, string Pool, int Vcpus, int MemoryMiB, string? Server = null);

/// <summary>The chosen server, or a sentence saying why there is none.</summary>
public sealed record PlacementResult(ServerCapacity? Server, string? Reason);

/// <summary>
/// The one placement function (pure): the servers of the domain's pool that are up and have room, best fit
/// first (the server left with the least free memory), ties by name. Memory is never overcommitted; vCPUs
/// up to <see cref="VcpuOvercommit"/> per host CPU.
/// </summary>
public static class Placement
{
    public const int VcpuOvercommit = 8;

    public static PlacementResult Choose(PlacementRequest request, IReadOnlyList<ServerCapacity> servers,
        IEnumerable<DomainIndexEntry> domains)
    {
        var used = domains
            .Where(d => d.UsesResources && d.Name != request.Domain)
            .GroupBy(d => d.Server)
            .ToDictionary(g => g.Key, g => (Vcpus: g.Sum(d => d.Vcpus), MemoryMiB: g.Sum(d => (long)d.MemoryMiB)));

        string? Unfit(ServerCapacity s)
        {
            if (s.Pool != request.Pool) return $"server {s.Name} is in pool {s.Pool}, not {request.Pool}";
            if (!s.Up) return $"server {s.Name} is down";
            var (vcpus, memory) = used.GetValueOrDefault(s.Name);
            var freeMemory = s.MemoryMiB - memory;
            if (freeMemory < request.MemoryMiB)
                return $"server {s.Name} has {freeMemory} MiB free, {request.Domain} needs {request.MemoryMiB} MiB";
            var freeVcpus = s.Cpus * VcpuOvercommit - vcpus;
            if (freeVcpus < request.Vcpus)
                return $"server {s.Name} has {freeVcpus} vCPUs free, {request.Domain} needs {request.Vcpus}";
            return null;
        }

        if (request.Server is { } wanted)
        {
            var server = servers.FirstOrDefault(s => s.Name == wanted);
            if (server is null) return new(null, $"server {wanted} does not exist");
            return Unfit(server) is { } why ? new(null, why) : new(server, null);
        }

        var pool = servers.Where(s => s.Pool == request.Pool).ToList();
        if (pool.Count == 0) return new(null, $"pool {request.Pool} has no servers");
        var fits = pool.Where(s => Unfit(s) is null).ToList();
        if (fits.Count == 0)
            return new(null, $"no server in pool {request.Pool} has room for {request.Domain} ({request.Vcpus} vCPU, {request.MemoryMiB} MiB): "
                             + string.Join("; ", pool.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => Unfit(s))));
        var best = fits
            .OrderBy(s => s.MemoryMiB - used.GetValueOrDefault(s.Name).MemoryMiB - request.MemoryMiB)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .First();
        return new(best, null);
    }
}
