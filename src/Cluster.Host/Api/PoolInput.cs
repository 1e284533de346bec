using Actors.Domains;
using Actors.Servers.Scheduling;
using Cluster.Host.Audit;
using static System.FormattableString;

namespace Cluster.Host.Api;

/// <summary>
/// A pool's settings as the API takes them (every field optional: a create starts from the defaults, a change
/// from the pool's current settings) and the check that turns them into <see cref="PoolSettings"/>.
/// </summary>
public sealed record PoolRequest(
    string? Name = null, string? Policy = null, bool? Ha = null, double? CpuThreshold = null, double? MemoryThreshold = null,
    string? Sustain = null, bool? Balancing = null)
{
    public static readonly TimeSpan MaxSustain = TimeSpan.FromDays(1);

    /// <summary>The settings with this request's fields applied to <paramref name="current"/>, or the first bad field.</summary>
    public (PoolSettings? Settings, ValidationError? Error) ApplyTo(PoolSettings current)
    {
        var policy = Policy is null ? current.Policy : PlacementPolicyWords.Parse(Policy);
        if (policy is null)
            return (null, new("policy", $"policy must be best-fit, balance or current-server; got '{DomainSpecValidation.Printable(Policy)}'"));
        if (CpuThreshold is { } cpu && cpu is <= 0 or > 100)
            return (null, new("cpuThreshold", Invariant($"cpuThreshold must be a percentage above 0 and at most 100; got {cpu}")));
        if (MemoryThreshold is { } memory && memory is <= 0 or > 100)
            return (null, new("memoryThreshold", Invariant($"memoryThreshold must be a percentage above 0 and at most 100; got {memory}")));
        var sustain = current.Thresholds.SustainFor;
        if (Sustain is not null)
        {
            if (AuditTime.Span(Sustain) is not { } span || span <= TimeSpan.Zero || span > MaxSustain)
                return (null, new("sustain", $"sustain must be a duration from 1s to 1d like 90s, 5m; got '{DomainSpecValidation.Printable(Sustain)}'"));
            sustain = span;
        }
        var thresholds = new LoadThresholds(CpuThreshold ?? current.Thresholds.CpuPercent, MemoryThreshold ?? current.Thresholds.MemoryPercent, sustain);
        return (new PoolSettings(current.Name, policy.Value, Ha ?? current.Ha, thresholds, Balancing ?? current.Balancing), null);
    }
}
