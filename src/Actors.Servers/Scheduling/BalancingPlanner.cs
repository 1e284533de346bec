using System.Globalization;
using Actors.Domains.Index;

namespace Actors.Servers.Scheduling;

/// <summary>What the planner knows of earlier moves: when each domain was last moved, and how many still run.</summary>
public sealed record BalanceHistory(IReadOnlyDictionary<string, DateTimeOffset> MovedAt, int InFlight)
{
    public static readonly BalanceHistory None = new(new Dictionary<string, DateTimeOffset>(), 0);
}

/// <summary>
/// Plans the balancing of one pool (pure). A server above its pool's CPU or memory threshold (sustained, unless an
/// operator asks now) gives up its busiest running domains, the fewest needed to bring it below threshold − margin;
/// each goes to the least loaded server that stays below threshold − margin with it and that placement accepts
/// (pool, up, capacity). Never more than the pool's free move slots; never a domain in its cooldown; never a
/// server that is settling after a move. A domain that fits nowhere is reported, not moved.
/// </summary>
public static class BalancingPlanner
{
    /// <summary>A domain using less than this (percentage points of its server) relieves nothing: moving it is churn.</summary>
    public const double MinRelief = 2;

    private sealed class Projected(double cpu, double memory)
    {
        public double Cpu = cpu;
        public double Memory = memory;
    }

    /// <param name="requireSustained">True for the balancer's own rounds; false when an operator asks to balance now
    /// (a server above its threshold in its last sample counts).</param>
    public static BalancePlan Plan(PoolSettings pool, BalancingSettings settings, SchedulingSnapshot snapshot,
        BalancingWatch watch, BalanceHistory history, DateTimeOffset now, bool requireSustained)
    {
        var servers = snapshot.Servers;
        var t = pool.Thresholds;
        var (cpuLimit, memoryLimit) = (t.CpuPercent - settings.Margin, t.MemoryPercent - settings.Margin);
        var members = servers.Where(s => s.Pool == pool.Name).ToList();
        var projected = members.ToDictionary(s => s.Name, s => new Projected(s.Load?.CpuPercent ?? 0, s.Load?.MemoryPercent ?? 0));
        var placed = snapshot.Domains.ToList();
        var moves = new List<BalanceMove>();
        var notes = new List<string>();
        var slots = settings.MaxConcurrentMoves - history.InFlight;

        bool Over(Projected p) => p.Cpu > t.CpuPercent || p.Memory > t.MemoryPercent;
        var sources = members
            .Where(s => s.Up && s.Load is not null && !watch.Settling(s.Name, now) && Over(projected[s.Name])
                        && (!requireSustained || watch.AboveFor(s.Name) >= t.SustainFor))
            .OrderByDescending(s => projected[s.Name].Cpu).ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        if (sources.Count > 0 && slots <= 0)
            notes.Add($"{history.InFlight} move(s) still running in pool {pool.Name} (at most {settings.MaxConcurrentMoves} at once): nothing more now");

        foreach (var source in sources)
        {
            if (slots <= 0) break;
            var load = source.Load!;
            var mine = projected[source.Name];
            var cpuOver = mine.Cpu > t.CpuPercent;
            var why = cpuOver
                ? $"{source.Name} CPU {Pct(mine.Cpu)} > {Pct(t.CpuPercent)}"
                : $"{source.Name} memory {Pct(mine.Memory)} > {Pct(t.MemoryPercent)}";
            why += watch.AboveFor(source.Name) is { } above ? $" for {above.TotalSeconds:0} s" : "";
            var skipped = new List<string>();
            var candidates = placed
                .Where(d => d.Server == source.Name && d.State == "running")
                .Select(d => (Entry: d, Cpu: load.DomainCpuPercent.GetValueOrDefault(d.Name), Memory: 100.0 * d.MemoryMiB / source.MemoryMiB))
                .OrderByDescending(d => cpuOver ? d.Cpu : d.Memory).ThenBy(d => d.Entry.Name, StringComparer.Ordinal)
                .ToList();
            foreach (var (d, cpu, memory) in candidates)
            {
                if (mine.Cpu < cpuLimit && mine.Memory < memoryLimit) break;
                if (slots <= 0)
                {
                    notes.Add($"{source.Name}: at most {settings.MaxConcurrentMoves} move(s) at once in pool {pool.Name}; the rest waits");
                    break;
                }
                if ((cpuOver ? cpu : memory) < MinRelief) continue;
                if (history.MovedAt.TryGetValue(d.Name, out var moved) && now - moved < settings.Cooldown)
                {
                    skipped.Add($"{d.Name} was moved {(now - moved).TotalSeconds:0} s ago (cooldown {settings.Cooldown.TotalSeconds:0} s)");
                    continue;
                }
                var (target, refusal) = ChooseTarget(d, cpu * source.Cpus, members, projected, snapshot with { Domains = placed }, source.Name, cpuLimit, memoryLimit, watch, now);
                if (target is null)
                {
                    skipped.Add($"{d.Name}: {refusal}");
                    continue;
                }
                var there = projected[target.Name];
                moves.Add(new BalanceMove(d.Name, source.Name, target.Name, target.Address,
                    $"balance: {why}; {target.Name} CPU {Pct(there.Cpu)}"));
                slots--;
                mine.Cpu -= cpu;
                mine.Memory -= memory;
                there.Cpu += cpu * source.Cpus / target.Cpus;
                there.Memory += 100.0 * d.MemoryMiB / target.MemoryMiB;
                placed[placed.IndexOf(d)] = d with { Server = target.Name };
            }
            if (Over(mine) && (slots > 0 || moves.Count == 0))
                notes.Add($"{why}: stays above" + (skipped.Count == 0 ? ", no running domain of it can relieve it" : ": " + string.Join("; ", skipped)));
        }
        return new BalancePlan(pool.Name, moves, notes);
    }

    /// <summary>
    /// The least loaded server of the pool that stays under the limits with the domain, as the scheduler accepts it
    /// (capacity, maintenance, anti-affinity: the same rules as every other placement).
    /// </summary>
    private static (ServerCapacity? Target, string Refusal) ChooseTarget(DomainIndexEntry d, double cpuCores, List<ServerCapacity> members,
        Dictionary<string, Projected> projected, SchedulingSnapshot placed, string source, double cpuLimit, double memoryLimit,
        BalancingWatch watch, DateTimeOffset now)
    {
        var reasons = new List<string>();
        var ordered = members
            .Where(s => s.Name != source)
            .OrderBy(s => projected[s.Name].Cpu).ThenBy(s => projected[s.Name].Memory).ThenBy(s => s.Name, StringComparer.Ordinal);
        foreach (var s in ordered)
        {
            var p = projected[s.Name];
            var (cpu, memory) = (p.Cpu + cpuCores / s.Cpus, p.Memory + 100.0 * d.MemoryMiB / s.MemoryMiB);
            string? unfit = s.Load is null ? $"{s.Name} has no load sample yet"
                : s.Maintenance ? $"{s.Name} is in maintenance"
                : watch.Settling(s.Name, now) ? $"{s.Name} is settling after a move"
                : cpu > cpuLimit ? $"{s.Name} would be at CPU {Pct(cpu)} (limit {Pct(cpuLimit)})"
                : memory > memoryLimit ? $"{s.Name} would be at memory {Pct(memory)} (limit {Pct(memoryLimit)})"
                : Scheduler.Place(new PlacementRequest(PlacementKind.Balance, d.Name, d.Pool, d.Vcpus, d.MemoryMiB, source, s.Name), placed)
                    is { Server: null } refused ? refused.Reason : null;
            if (unfit is null) return (s, "");
            reasons.Add(unfit);
        }
        return (null, reasons.Count == 0 ? "no other server in the pool" : "no server fits: " + string.Join(", ", reasons));
    }

    private static string Pct(double v) => Math.Round(v).ToString(CultureInfo.InvariantCulture) + "%";
}
