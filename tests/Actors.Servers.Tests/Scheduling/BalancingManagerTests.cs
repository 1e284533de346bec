using System.Collections.Concurrent;
using Actors.Domains.Index;
using Actors.Servers.Load;
using Actors.Servers.Scheduling;
using Akka.TestKit.Xunit2;

namespace Actors.Servers.Tests.Scheduling;

/// <summary>The balancing singleton over fake ports: it moves once, remembers the move, and a dry run moves nothing.</summary>
public sealed class BalancingManagerTests : TestKit
{
    private static readonly PoolSettings Pool = PoolSettings.DefaultFor("default") with
    {
        Balancing = true,
        Thresholds = new LoadThresholds(80, 90, TimeSpan.Zero),
    };

    private static readonly BalancingSettings Settings = BalancingSettings.Default with
    {
        Interval = TimeSpan.FromMilliseconds(50),
        Settle = TimeSpan.FromMilliseconds(200),
    };

    private sealed class FakePorts(PoolSettings pool)
    {
        public volatile IReadOnlyDictionary<string, DomainIndexEntry> Domains = new Dictionary<string, DomainIndexEntry>
        {
            ["burn1"] = Running("burn1", "node1"),
            ["burn2"] = Running("burn2", "node1"),
        };
        public readonly ConcurrentQueue<BalanceMove> Migrations = new();

        // node1 stays busy in every fresh sample: the domains' index never shows the move land (a migration that hangs).
        public BalancingPorts Ports => new(
            () => Task.FromResult(new SchedulingSnapshot(
            [
                Server("node1", 95, ("burn1", 48), ("burn2", 45)),
                Server("node2", 5),
                Server("node3", 5),
            ], [.. Domains.Values], new Dictionary<string, PoolSettings> { [pool.Name] = pool })),
            move => { Migrations.Enqueue(move); return Task.CompletedTask; });

        private static ServerCapacity Server(string name, double cpu, params (string, double)[] domains) =>
            new(name, "addr-" + name, "default", 2, 8192, "up",
                Load: new ServerLoad(cpu, 20, domains.ToDictionary(d => d.Item1, d => d.Item2), DateTimeOffset.UtcNow));

        private static DomainIndexEntry Running(string name, string server) =>
            new(name, server, "default", "running", "running", false, 1, 256, DateTimeOffset.UnixEpoch);
    }

    [Fact]
    public void A_busy_server_gives_up_one_domain_and_nothing_more_moves_while_it_is_in_flight()
    {
        var fake = new FakePorts(Pool);
        Sys.ActorOf(BalancingManager.Props(fake.Ports, Settings));

        AwaitCondition(() => fake.Migrations.Count == 1, TimeSpan.FromSeconds(5));
        var move = Assert.Single(fake.Migrations);
        Assert.Equal(("burn1", "node1", "node2"), (move.Domain, move.From, move.To));

        // Many rounds later: still one move (at most one at a time, and node1 waits for the move to end and settle).
        Thread.Sleep(Settings.Interval * 10); // rounds that must not do anything: nothing to await but time
        Assert.Single(fake.Migrations);
    }

    [Fact]
    public void A_moved_domain_is_not_moved_again_within_its_cooldown()
    {
        var fake = new FakePorts(Pool);
        Sys.ActorOf(BalancingManager.Props(fake.Ports, Settings));
        AwaitCondition(() => fake.Migrations.Count == 1, TimeSpan.FromSeconds(5));

        // The move lands; node1's samples (faked) still show it busy, so after settling the next one goes: burn2, not burn1 again.
        fake.Domains = new Dictionary<string, DomainIndexEntry>(fake.Domains) { ["burn1"] = fake.Domains["burn1"] with { Server = "node2" } };
        AwaitCondition(() => fake.Migrations.Count == 2, TimeSpan.FromSeconds(5));
        Assert.Equal(["burn1", "burn2"], fake.Migrations.Select(m => m.Domain));
    }

    [Fact]
    public void A_dry_run_answers_with_the_plan_and_moves_nothing()
    {
        var fake = new FakePorts(Pool with { Balancing = false });
        var manager = Sys.ActorOf(BalancingManager.Props(fake.Ports, Settings));

        manager.Tell(new BalancingManager.PlanNow("default", DryRun: true), TestActor);

        var planned = ExpectMsg<BalancingManager.Planned>();
        Assert.False(planned.Executed);
        Assert.Equal("burn1", Assert.Single(planned.Plan.Moves).Domain);
        Assert.Empty(fake.Migrations);
    }
}
