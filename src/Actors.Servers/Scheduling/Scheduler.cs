using static System.FormattableString;

namespace Actors.Servers.Scheduling;

/// <summary>
/// The one placement function (pure): every start, migration, failover, evacuation and balancing move asks it.
/// Rules, in order: the domain's pool; up; not in maintenance; for a move chosen by the scheduler, not where the domain runs now; memory never
/// overcommitted; vCPUs up to <see cref="VcpuOvercommit"/> per host CPU; no other running member of the domain's
/// anti-affinity group there. The pool's policy orders the servers that fit; ties go by name.
/// </summary>
public static class Scheduler
{
    public const int VcpuOvercommit = 8;

    public static PlacementResult Place(PlacementRequest request, SchedulingSnapshot snapshot)
    {
        var use = snapshot.Use;
        // What the other domains use there: the domain's own share does not count against it.
        var own = use.Domains.GetValueOrDefault(request.Domain) is { UsesResources: true } self ? self : null;
        (int Vcpus, long MemoryMiB) Used(string server)
        {
            var u = use.ByServer.GetValueOrDefault(server);
            return own?.Server == server ? (u.Vcpus - own.Vcpus, u.MemoryMiB - own.MemoryMiB) : u;
        }
        long FreeMemory(ServerCapacity s) => s.MemoryMiB - Used(s.Name).MemoryMiB;
        var group = request.Runs ? snapshot.GroupOf(request.Domain) : null;

        string? Unfit(ServerCapacity s)
        {
            if (s.Pool != request.Pool) return $"in pool {s.Pool}, not {request.Pool}";
            if (!s.Up) return s.Status;
            if (s.Maintenance) return "in maintenance";
            // An operator who names the current server is answered by the domain itself ("already runs on").
            if (request.Moves && request.Server is null && s.Name == request.LastServer) return $"{request.Domain} runs there now";
            if (!request.Runs) return null;
            var freeMemory = FreeMemory(s);
            if (freeMemory < request.MemoryMiB) return $"{freeMemory} MiB free, needs {request.MemoryMiB} MiB";
            var freeVcpus = s.Cpus * VcpuOvercommit - Used(s.Name).Vcpus;
            if (freeVcpus < request.Vcpus) return $"{freeVcpus} vCPUs free, needs {request.Vcpus}";
            if (group is not null
                && snapshot.Domains.FirstOrDefault(d => d.Server == s.Name && d.UsesResources && d.Name != request.Domain
                                                        && group.Domains.Contains(d.Name)) is { } member)
                return $"{member.Name} of group {group.Name} is there";
            return null;
        }

        if (request.Server is { } wanted)
        {
            var server = snapshot.Servers.FirstOrDefault(s => s.Name == wanted);
            if (server is null) return new(null, $"server {wanted} does not exist", [new(wanted, "does not exist")]);
            return Unfit(server) is { } why
                ? new(null, $"server {wanted} cannot take {request.Domain}: {why}", [new(wanted, why)])
                : new(server, $"{wanted}: {(request.Kind == PlacementKind.Balance ? "chosen by the balancer" : "chosen by the operator")}, {Size(FreeMemory(server))} free", []);
        }

        var pool = snapshot.Servers.Where(s => s.Pool == request.Pool).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        if (pool.Count == 0) return new(null, $"pool {request.Pool} has no servers", []);
        var rejected = pool.Select(s => (Server: s, Why: Unfit(s))).Where(x => x.Why is not null)
            .Select(x => new Rejection(x.Server.Name, x.Why!)).ToList();
        var fits = pool.Where(s => rejected.All(r => r.Server != s.Name)).ToList();
        if (fits.Count == 0)
            return new(null, $"no server in pool {request.Pool} can take {request.Domain} ({request.Vcpus} vCPU, {request.MemoryMiB} MiB): "
                             + string.Join("; ", rejected), rejected);

        var policy = snapshot.SettingsOf(request.Pool).Policy;
        if (policy == PlacementPolicy.CurrentServer && fits.FirstOrDefault(s => s.Name == request.LastServer) is { } last)
            return new(last, $"{last.Name}: where {request.Domain} last ran, {Size(FreeMemory(last))} free", rejected);
        if (policy == PlacementPolicy.Balance)
        {
            var least = fits.OrderBy(s => s.CpuPercent).ThenByDescending(FreeMemory).ThenBy(s => s.Name, StringComparer.Ordinal).First();
            return new(least, Invariant($"{least.Name}: least loaded, CPU {least.CpuPercent:0}%, {Size(FreeMemory(least))} free"), rejected);
        }
        var best = fits.OrderBy(FreeMemory).ThenBy(s => s.Name, StringComparer.Ordinal).First();
        return new(best, $"{best.Name}: best fit, {Size(FreeMemory(best))} free", rejected);
    }

    /// <summary>Memory for people: MiB below 1 GiB, else GiB with one decimal.</summary>
    public static string Size(long mib) => mib < 1024 ? $"{mib} MiB" : Invariant($"{mib / 1024.0:0.#} GiB");
}
