using System.Collections.Concurrent;
using Actors.Domains.Index;
using Actors.Servers.Scheduling;
using Akka.TestKit.Xunit2;

namespace Actors.Servers.Tests.Scheduling;

public sealed class FailoverManagerTests : TestKit
{
    private static ServerCapacity Server(string name, string status = "up", long memoryMiB = 4096) =>
        new(name, "addr-" + name, "default", 2, memoryMiB, status);

    private static DomainIndexEntry Entry(string name, string server, bool ha, string desired = "running") =>
        new(name, server, "default", "running", desired, ha, 1, 1024, DateTimeOffset.UnixEpoch);

    private sealed class FakePorts
    {
        public volatile IReadOnlyList<ServerCapacity> Servers = [];
        public volatile IReadOnlyDictionary<string, DomainIndexEntry> Domains = new Dictionary<string, DomainIndexEntry>();
        public readonly ConcurrentQueue<(string Domain, string Address)> Moves = new();
        public readonly ConcurrentQueue<string> Wakes = new();

        public SchedulerPorts Ports => new(
            () => Task.FromResult(Servers),
            () => Task.FromResult(Domains),
            (d, a) => { Moves.Enqueue((d, a)); return Task.CompletedTask; },
            (d, _) => Wakes.Enqueue(d));
    }

    [Fact]
    public void Domains_of_a_removed_server_get_new_servers_and_are_woken_and_others_are_left_alone()
    {
        var fake = new FakePorts
        {
            Servers = [Server("node1"), Server("node2", memoryMiB: 2048), Server("node3", "down"), Server("node4", "unreachable")],
            Domains = new Dictionary<string, DomainIndexEntry>
            {
                ["ha1"] = Entry("ha1", "node3", ha: true),
                ["plain"] = Entry("plain", "node3", ha: false),
                ["ok"] = Entry("ok", "node1", ha: true),
                ["limbo"] = Entry("limbo", "node4", ha: true), // unreachable is not down: the SBR has not decided
            },
        };
        Sys.ActorOf(FailoverManager.Props(fake.Ports));

        AwaitCondition(() => fake.Wakes.Count >= 2, TimeSpan.FromSeconds(5));
        var moves = fake.Moves.ToDictionary(m => m.Domain, m => m.Address);
        Assert.Equal("addr-node2", moves["ha1"]); // best fit: node2 has the least free memory that fits
        Assert.Contains(moves["plain"], new[] { "addr-node1", "addr-node2" });
        Assert.DoesNotContain("ok", moves.Keys);
        Assert.DoesNotContain("limbo", moves.Keys);

        // Once moved, a domain is not moved again while its move is in flight.
        Thread.Sleep(FailoverManager.Interval * 3); // let several ticks pass: nothing more may happen
        Assert.Equal(2, fake.Moves.Count);
    }
}
