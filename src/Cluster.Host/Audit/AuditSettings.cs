using Akka.Configuration;

namespace Cluster.Host.Audit;

/// <summary>vmc.audit in akka.hocon.</summary>
public sealed record AuditSettings(int BatchSize, TimeSpan PollInterval, TimeSpan GapTimeout, TimeSpan MinBackoff, TimeSpan MaxBackoff)
{
    public static AuditSettings From(Config config)
    {
        var c = config.GetConfig("vmc.audit");
        return new AuditSettings(c.GetInt("batch-size", 2000), c.GetTimeSpan("poll-interval", TimeSpan.FromMilliseconds(100)),
            c.GetTimeSpan("gap-timeout", TimeSpan.FromSeconds(10)),
            c.GetTimeSpan("min-backoff", TimeSpan.FromSeconds(1)), c.GetTimeSpan("max-backoff", TimeSpan.FromSeconds(30)));
    }
}
