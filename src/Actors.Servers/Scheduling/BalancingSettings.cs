using Akka.Configuration;

namespace Actors.Servers.Scheduling;

/// <summary>
/// The balancer's settings (HOCON <c>vmc.balance</c>). Until pools are entities with their own settings, every pool
/// gets <see cref="PoolSettings.DefaultFor"/> with <see cref="Enabled"/> and <see cref="Thresholds"/> from here.
/// </summary>
/// <param name="Margin">Hysteresis, in percentage points: a source is relieved to below threshold − margin, and
/// no move may take a target above threshold − margin, so one move never makes the next.</param>
/// <param name="Settle">After a move, how long its two servers are left alone: their next decision needs samples
/// taken after the move, sustained anew.</param>
/// <param name="Cooldown">A domain the balancer moved is not moved by it again before this.</param>
public sealed record BalancingSettings(
    bool Enabled,
    LoadThresholds Thresholds,
    double Margin,
    TimeSpan Interval,
    int MaxConcurrentMoves,
    TimeSpan Cooldown,
    TimeSpan Settle)
{
    public static readonly BalancingSettings Default = new(false, LoadThresholds.Default, 10, TimeSpan.FromSeconds(5), 1,
        TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30));

    /// <summary>The pool's settings as the balancer applies them: enabled and thresholds from here.</summary>
    public PoolSettings Apply(PoolSettings pool) => pool with { Balancing = Enabled, Thresholds = Thresholds };

    /// <summary>Reads <c>vmc.balance</c>; missing keys keep their defaults. Throws <see cref="ArgumentException"/> naming a bad key.</summary>
    public static BalancingSettings FromConfig(Config? c)
    {
        if (c is null || c.IsEmpty) return Default;
        var d = Default;
        var settings = new BalancingSettings(
            c.GetBoolean("enabled", d.Enabled),
            new LoadThresholds(c.GetDouble("cpu-threshold", d.Thresholds.CpuPercent), c.GetDouble("memory-threshold", d.Thresholds.MemoryPercent),
                c.GetTimeSpan("sustain-for", d.Thresholds.SustainFor)),
            c.GetDouble("margin", d.Margin),
            c.GetTimeSpan("interval", d.Interval),
            c.GetInt("max-concurrent-moves", d.MaxConcurrentMoves),
            c.GetTimeSpan("cooldown", d.Cooldown),
            c.GetTimeSpan("settle", d.Settle));
        return settings.Validate();
    }

    public BalancingSettings Validate()
    {
        if (Thresholds.CpuPercent is <= 0 or > 100) throw new ArgumentException($"vmc.balance.cpu-threshold must be in (0, 100]; got {Thresholds.CpuPercent}");
        if (Thresholds.MemoryPercent is <= 0 or > 100) throw new ArgumentException($"vmc.balance.memory-threshold must be in (0, 100]; got {Thresholds.MemoryPercent}");
        if (Margin < 0 || Margin >= Math.Min(Thresholds.CpuPercent, Thresholds.MemoryPercent))
            throw new ArgumentException($"vmc.balance.margin must be at least 0 and below both thresholds; got {Margin}");
        if (Interval <= TimeSpan.Zero) throw new ArgumentException($"vmc.balance.interval must be positive; got {Interval}");
        if (MaxConcurrentMoves < 1) throw new ArgumentException($"vmc.balance.max-concurrent-moves must be at least 1; got {MaxConcurrentMoves}");
        if (Thresholds.SustainFor < TimeSpan.Zero || Cooldown < TimeSpan.Zero || Settle < TimeSpan.Zero)
            throw new ArgumentException("vmc.balance: sustain-for, cooldown and settle must not be negative");
        return this;
    }
}
