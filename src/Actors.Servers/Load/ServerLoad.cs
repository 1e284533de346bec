namespace Actors.Servers.Load;

/// <summary>
/// A server's load as its node last sampled it: host CPU busy and memory used (percent of the host, from /proc),
/// and each local domain's share of the host's CPU (its VMM's CPU time). Spread in the server index.
/// </summary>
public sealed record ServerLoad(
    double CpuPercent,
    double MemoryPercent,
    IReadOnlyDictionary<string, double> DomainCpuPercent,
    DateTimeOffset SampledAt);
