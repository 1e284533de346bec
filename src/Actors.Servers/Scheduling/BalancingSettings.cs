using Akka.Configuration;

namespace Actors.Servers.Scheduling;

/// <summary>
/// The balancer's own settings (HOCON <c>vmc.balance</c>), the same for every pool. Whether a pool is balanced, its
/// thresholds and how long they must be exceeded are the pool's settings (<c>vmc pool set</c>).
/// </summary>
/// <param name="Margin">Hysteresis, in percentage points: a source is relieved to below threshold − margin, and
/// no move may take a target above threshold − margin, so one move never makes the next.</param>
/// <param name="Settle">After a move, how long its two servers are left alone: their next decision needs samples
/// taken after the move, sustained anew.</param>
/// <param name="Cooldown">A domain the balancer moved is not moved by it again before this.</param>
public sealed record BalancingSettings(
    double Margin,
    TimeSpan Interval,
    int MaxConcurrentMoves,
    TimeSpan Cooldown,
    TimeSpan Settle)
{
    public static readonly BalancingSettings Default = new(10, TimeSpan.FromSeconds(5), 1,
        TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30));

    /// <summary>Reads <c>vmc.balance</c>; missing keys keep their defaults. Throws <see cref="ArgumentException"/> naming a bad key.</summary>
    public static BalancingSettings FromConfig(Config? c)
    {
        if (c is null || c.IsEmpty) return Default;
        var d = Default;
        var settings = new BalancingSettings(
            c.GetDouble("margin", d.Margin),
            c.GetTimeSpan("interval", d.Interval),
            c.GetInt("max-concurrent-moves", d.MaxConcurrentMoves),
            c.GetTimeSpan("cooldown", d.Cooldown),
            c.GetTimeSpan("settle", d.Settle));
        return settings.Validate();
    }

    public BalancingSettings Validate()
    {
        if (Margin is < 0 or >= 100) throw new ArgumentException($"vmc.balance.margin must be at least 0 and below 100; got {Margin}");
        if (Interval <= TimeSpan.Zero) throw new ArgumentException($"vmc.balance.interval must be positive; got {Interval}");
        if (MaxConcurrentMoves < 1) throw new ArgumentException($"vmc.balance.max-concurrent-moves must be at least 1; got {MaxConcurrentMoves}");
        if (Cooldown < TimeSpan.Zero || Settle < TimeSpan.Zero)
            throw new ArgumentException("vmc.balance: cooldown and settle must not be negative");
        return this;
    }
}
