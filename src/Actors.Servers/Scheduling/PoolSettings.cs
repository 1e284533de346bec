namespace Actors.Servers.Scheduling;

/// <summary>How placement orders the servers of a pool that fit a domain.</summary>
public enum PlacementPolicy
{
    /// <summary>The server left with the least free memory (packs servers, keeps big holes free).</summary>
    BestFit,
    /// <summary>The least loaded server (CPU load, then free memory).</summary>
    Balance,
    /// <summary>Where the domain last ran, when it fits; otherwise best fit.</summary>
    CurrentServer,
}

/// <summary>The policies as operators write them: best-fit, balance, current-server.</summary>
public static class PlacementPolicyWords
{
    public static string Word(this PlacementPolicy policy) => policy switch
    {
        PlacementPolicy.Balance => "balance",
        PlacementPolicy.CurrentServer => "current-server",
        _ => "best-fit",
    };

    public static PlacementPolicy? Parse(string word) => word switch
    {
        "best-fit" => PlacementPolicy.BestFit,
        "balance" => PlacementPolicy.Balance,
        "current-server" => PlacementPolicy.CurrentServer,
        _ => null,
    };
}

/// <summary>When a server counts as overloaded: above a threshold for <paramref name="SustainFor"/>.</summary>
public sealed record LoadThresholds(double CpuPercent, double MemoryPercent, TimeSpan SustainFor)
{
    public static readonly LoadThresholds Default = new(80, 90, TimeSpan.FromSeconds(60));
}

/// <summary>A pool's scheduling settings: what placement, failover and the balancer read.</summary>
public sealed record PoolSettings(string Name, PlacementPolicy Policy, bool Ha, LoadThresholds Thresholds, bool Balancing)
{
    public static PoolSettings DefaultFor(string name) => new(name, PlacementPolicy.BestFit, true, LoadThresholds.Default, false);
}
