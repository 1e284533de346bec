using Actors.Servers.Load;

namespace Actors.Servers.Scheduling;

/// <summary>
/// Which servers have stayed above their pool's thresholds, from their load samples (pure: fed snapshots, no clock).
/// A server is overloaded once every sample since <c>AboveSince</c> was above, for at least SustainFor; one sample
/// below starts it over (a spike is not a load). After a move its servers settle: samples taken before the settle
/// time are ignored and the streak starts again.
/// </summary>
public sealed class BalancingWatch
{
    private sealed record Streak(DateTimeOffset AboveSince, DateTimeOffset LastSample);

    private readonly Dictionary<string, Streak> _above = new();
    private readonly Dictionary<string, DateTimeOffset> _settleUntil = new();

    /// <summary>Takes each server's newest sample into account (a sample seen before is not counted twice).</summary>
    public void Observe(IEnumerable<ServerCapacity> servers, Func<string, LoadThresholds> thresholdsOfPool)
    {
        foreach (var s in servers)
        {
            if (s.Load is not { } load || load.SampledAt == DateTimeOffset.MinValue) continue;
            if (_settleUntil.TryGetValue(s.Name, out var settle) && load.SampledAt < settle) continue;
            var t = thresholdsOfPool(s.Pool);
            var above = load.CpuPercent > t.CpuPercent || load.MemoryPercent > t.MemoryPercent;
            if (!above) _above.Remove(s.Name);
            else if (!_above.TryGetValue(s.Name, out var streak)) _above[s.Name] = new Streak(load.SampledAt, load.SampledAt);
            else if (load.SampledAt > streak.LastSample) _above[s.Name] = streak with { LastSample = load.SampledAt };
        }
    }

    /// <summary>How long the server has been above (its latest sample minus the first of the streak); null: it is not.</summary>
    public TimeSpan? AboveFor(string server) =>
        _above.TryGetValue(server, out var s) ? s.LastSample - s.AboveSince : null;

    /// <summary>True while the server waits for fresh samples after a move.</summary>
    public bool Settling(string server, DateTimeOffset now) => _settleUntil.TryGetValue(server, out var until) && now < until;

    /// <summary>A move touched this server: forget its streak and wait until <paramref name="until"/> for new samples.</summary>
    public void Settle(string server, DateTimeOffset until)
    {
        _above.Remove(server);
        _settleUntil[server] = until;
    }
}
