using Actors.Domains;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;

namespace Cluster.Host.Tests;

/// <summary>MemoryTrim: one full collection once a burst of passivations passed the threshold; its setting.</summary>
public sealed class MemoryTrimTests() : TestKit("akka.loglevel = INFO")
{
    private void Passivations(int count)
    {
        for (var i = 0; i < count; i++) Sys.EventStream.Publish(DomainPassivating.Instance);
    }

    [Fact]
    public async Task Below_the_threshold_nothing_happens_past_it_one_collection_is_made_and_logged()
    {
        var trim = Sys.ActorOf(MemoryTrim.Props(100, TimeSpan.FromMilliseconds(100)));
        await trim.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(3)); // subscribed

        EventFilter.Info(start: "memory:").Expect(0, TimeSpan.FromMilliseconds(600), () => Passivations(99));
        EventFilter.Info(start: "memory: 100 domains passivated; a full collection took").ExpectOne(TimeSpan.FromSeconds(3), () => Passivations(1));
        // Counted again from zero.
        EventFilter.Info(start: "memory:").Expect(0, TimeSpan.FromMilliseconds(600), () => Passivations(50));
    }

    private static int? Read(string hocon) =>
        MemoryTrim.Threshold(ConfigurationFactory.ParseString(hocon)
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "akka.hocon")))));

    [Fact]
    public void The_default_is_ten_thousand_a_count_is_taken_and_off_means_never()
    {
        Assert.Equal(10_000, Read(""));
        Assert.Equal(500, Read("vmc.memory.trim-after-passivations = 500"));
        Assert.Null(Read("vmc.memory.trim-after-passivations = off"));
    }
}
