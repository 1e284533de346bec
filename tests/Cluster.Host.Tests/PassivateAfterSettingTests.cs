using Akka.Configuration;

namespace Cluster.Host.Tests;

/// <summary>vmc.domains.passivate-idle-after: the node's default, a duration, or off.</summary>
public sealed class PassivateAfterSettingTests
{
    private static TimeSpan? Read(string hocon) =>
        DomainWiring.PassivateAfter(ConfigurationFactory.ParseString(hocon)
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "akka.hocon")))));

    [Fact]
    public void The_default_is_a_minute_a_duration_is_taken_and_off_means_never()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), Read(""));
        Assert.Equal(TimeSpan.FromSeconds(30), Read("vmc.domains.passivate-idle-after = 30s"));
        Assert.Null(Read("vmc.domains.passivate-idle-after = off"));
    }
}
