namespace Actors.Servers.Load;

/// <summary>
/// One read of /proc at <paramref name="At"/>: the host's CPU jiffies and memory, and each local running domain's
/// VMM (null: the domain has no process of its own, as with the simulated driver).
/// </summary>
public sealed record LoadReading(DateTimeOffset At, HostCpuTimes Cpu, HostMemory Memory, IReadOnlyDictionary<string, ProcessCpu?> Domains)
{
    /// <summary>
    /// The load between an earlier reading and this one. CPU shares are jiffies over the host's total jiffies in
    /// the interval (all CPUs), so a domain busy on one of two CPUs is 50%. Null when no time passed.
    /// A domain without a process, or that was not in the earlier reading, counts 0 (simulated domains always do).
    /// </summary>
    public ServerLoad? LoadSince(LoadReading earlier, LoadSource source, long pageSizeBytes)
    {
        var elapsed = Cpu.Total - earlier.Cpu.Total;
        if (elapsed <= 0) return null;
        var domains = new Dictionary<string, double>();
        foreach (var (name, now) in Domains)
        {
            var before = earlier.Domains.GetValueOrDefault(name);
            // A VMM that restarted (or a new one after a migration) has fewer ticks than the old one: count 0 once.
            var ticks = now is { } n && before is { } b && n.Ticks >= b.Ticks ? n.Ticks - b.Ticks : 0;
            domains[name] = Percent(ticks, elapsed);
        }
        var (cpu, memory) = source switch
        {
            LoadSource.Vmms => (Math.Min(100, domains.Values.Sum()),
                Percent(Domains.Values.Sum(p => p?.RssPages ?? 0) * pageSizeBytes / 1024, Memory.TotalKiB)),
            _ => (Percent(Cpu.Busy - earlier.Cpu.Busy, elapsed), Percent(Memory.UsedKiB, Memory.TotalKiB)),
        };
        return new ServerLoad(cpu, memory, domains, At);
    }

    private static double Percent(long part, long whole) => whole <= 0 ? 0 : Math.Clamp(100.0 * part / whole, 0, 100);
}
