using Actors.Domains.Index;
using Actors.Servers.Load;
using Actors.Servers.Scheduling;

namespace Actors.Servers.Tests.Scheduling;

/// <summary>The balancer's planning over load snapshots: thresholds 80% CPU / 90% memory, sustained 60 s, margin 10.</summary>
public sealed class BalancingPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 15, 0, 0, TimeSpan.Zero);
    private static readonly PoolSettings Pool = PoolSettings.DefaultFor("default") with { Balancing = true };
    private static readonly BalancingSettings Settings = BalancingSettings.Default with { MaxConcurrentMoves = 2 };

    private static ServerCapacity Server(string name, double cpu, DateTimeOffset at, params (string Domain, double Cpu)[] domains) =>
        new(name, $"akka.tcp://vmc@127.0.0.1:{4050 + name[^1]}", "default", 2, 8192, "up",
            Load: new ServerLoad(cpu, 20, domains.ToDictionary(d => d.Domain, d => d.Cpu), at));

    private static DomainIndexEntry Running(string name, string server, int memoryMiB = 256) =>
        new(name, server, "default", "running", "running", false, 1, memoryMiB, T0);

    /// <summary>node1 busy (two burners, one idle domain), node2 and node3 quiet.</summary>
    private static (List<ServerCapacity> Servers, List<DomainIndexEntry> Domains) Busy(DateTimeOffset at, double node1Cpu = 95) =>
        ([Server("node1", node1Cpu, at, ("burn1", 48), ("burn2", 45), ("idle1", 1)), Server("node2", 12, at, ("idle2", 1)), Server("node3", 30, at)],
         [Running("burn1", "node1"), Running("burn2", "node1"), Running("idle1", "node1"), Running("idle2", "node2")]);

    /// <summary>Feeds the same load every 2 s for <paramref name="seconds"/>; returns the watch and the last snapshot.</summary>
    private static (BalancingWatch Watch, List<ServerCapacity> Servers, List<DomainIndexEntry> Domains, DateTimeOffset Now) Sustained(
        int seconds, double node1Cpu = 95)
    {
        var watch = new BalancingWatch();
        for (var s = 0; s <= seconds; s += 2) watch.Observe(Busy(T0.AddSeconds(s), node1Cpu).Servers, _ => Pool.Thresholds);
        var (servers, domains) = Busy(T0.AddSeconds(seconds), node1Cpu);
        return (watch, servers, domains, T0.AddSeconds(seconds));
    }

    private static BalancePlan Plan(BalancingWatch watch, List<ServerCapacity> servers, List<DomainIndexEntry> domains, DateTimeOffset now,
        BalanceHistory? history = null, BalancingSettings? settings = null, bool requireSustained = true) =>
        BalancingPlanner.Plan(Pool, settings ?? Settings, new SchedulingSnapshot(servers, domains, new Dictionary<string, PoolSettings> { [Pool.Name] = Pool }),
            watch, history ?? BalanceHistory.None, now, requireSustained);

    [Fact]
    public void An_overloaded_server_gives_its_busiest_domain_to_the_least_loaded_server_with_the_reason()
    {
        var (watch, servers, domains, now) = Sustained(60);

        var plan = Plan(watch, servers, domains, now);

        var move = Assert.Single(plan.Moves);
        Assert.Equal(("burn1", "node1", "node2"), (move.Domain, move.From, move.To));
        Assert.Equal("balance: node1 CPU 95% > 80% for 60 s; node2 CPU 12%", move.Reason);
        Assert.Empty(plan.Notes);
    }

    [Fact]
    public void Below_the_threshold_nothing_moves()
    {
        var (watch, servers, domains, now) = Sustained(120, node1Cpu: 79);
        var plan = Plan(watch, servers, domains, now);
        Assert.Empty(plan.Moves);
        Assert.Empty(plan.Notes);
    }

    [Fact]
    public void A_spike_is_not_a_load_the_threshold_must_be_exceeded_for_sustain_for()
    {
        var (watch, servers, domains, now) = Sustained(58);
        Assert.Empty(Plan(watch, servers, domains, now).Moves); // 58 s < 60 s

        // One sample below in between starts the streak over.
        watch.Observe(Busy(now.AddSeconds(2), node1Cpu: 50).Servers, _ => Pool.Thresholds);
        var again = Busy(now.AddSeconds(4));
        watch.Observe(again.Servers, _ => Pool.Thresholds);
        Assert.Empty(Plan(watch, again.Servers, again.Domains, now.AddSeconds(4)).Moves);

        // An operator's "balance now" does not wait for the streak.
        Assert.Single(Plan(watch, again.Servers, again.Domains, now.AddSeconds(4), requireSustained: false).Moves);
    }

    [Fact]
    public void A_domain_in_its_cooldown_stays_and_the_next_busiest_goes()
    {
        var (watch, servers, domains, now) = Sustained(60);
        var history = new BalanceHistory(new Dictionary<string, DateTimeOffset> { ["burn1"] = now.AddMinutes(-2) }, 0);

        var plan = Plan(watch, servers, domains, now, history);

        Assert.Equal("burn2", Assert.Single(plan.Moves).Domain);
    }

    [Fact]
    public void Hysteresis_no_target_may_end_above_threshold_minus_margin()
    {
        // node2 at 30% (of 2 CPUs) + burn1's 48% = 78%: under the 80% threshold, over 80 - 10.
        var (watch, _, domains, now) = Sustained(60);
        List<ServerCapacity> servers = [Server("node1", 95, now, ("burn1", 48), ("burn2", 45), ("idle1", 1)), Server("node2", 30, now)];

        var plan = Plan(watch, servers, domains, now);

        Assert.Empty(plan.Moves);
        var note = Assert.Single(plan.Notes);
        Assert.Contains("node1 CPU 95% > 80% for 60 s: stays above", note);
        Assert.Contains("node2 would be at CPU 78% (limit 70%)", note);
    }

    [Fact]
    public void The_source_is_relieved_to_below_threshold_minus_margin_with_the_fewest_moves()
    {
        // 100% with 48 + 45 + 5: moving burn1 leaves 52%, under 70%: one move, though two slots are free.
        var (watch, _, domains, now) = Sustained(60);
        var servers = Busy(now, node1Cpu: 100).Servers;
        Assert.Single(Plan(watch, servers, domains, now).Moves);

        // At 130 (a host busier than its domains) two are needed; node3 at 20% takes the second.
        List<ServerCapacity> hot = [Server("node1", 130, now, ("burn1", 48), ("burn2", 45), ("idle1", 1)), servers[1], Server("node3", 20, now)];
        var plan = Plan(watch, hot, domains, now);
        Assert.Equal(["burn1", "burn2"], plan.Moves.Select(m => m.Domain));
        Assert.Equal(["node2", "node3"], plan.Moves.Select(m => m.To)); // node2 took burn1 (60%): node3 is then the least loaded
    }

    [Fact]
    public void At_most_max_concurrent_moves_counting_those_still_running()
    {
        var (watch, _, domains, now) = Sustained(60);
        List<ServerCapacity> hot = [Server("node1", 130, now, ("burn1", 48), ("burn2", 45), ("idle1", 1)), .. Busy(now).Servers.Skip(1)];

        var one = Plan(watch, hot, domains, now, new BalanceHistory(new Dictionary<string, DateTimeOffset>(), 1));
        Assert.Equal(["burn1"], one.Moves.Select(m => m.Domain));
        Assert.Contains(one.Notes, n => n.Contains("at most 2 move(s) at once"));

        var none = Plan(watch, hot, domains, now, new BalanceHistory(new Dictionary<string, DateTimeOffset>(), 2));
        Assert.Empty(none.Moves);
        Assert.Contains("2 move(s) still running", Assert.Single(none.Notes));
    }

    [Fact]
    public void No_target_fits_is_reported_not_moved()
    {
        var (watch, servers, domains, now) = Sustained(60);
        // node2 has no memory left for a 256 MiB domain; node3 has, but would end above the CPU limit.
        List<DomainIndexEntry> full = [.. domains, Running("big2", "node2", 7700), Running("big3", "node3", 7700)];

        var plan = Plan(watch, servers, full, now);

        Assert.Empty(plan.Moves);
        var note = Assert.Single(plan.Notes);
        Assert.Contains("burn1: no server fits:", note);
        Assert.Contains("server node2 cannot take burn1: 236 MiB free, needs 256 MiB", note);
        Assert.Contains("node3 would be at CPU 78% (limit 70%)", note);
    }

    [Fact]
    public void A_settling_server_is_neither_source_nor_target_until_fresh_samples_are_sustained()
    {
        var (watch, servers, domains, now) = Sustained(60);
        watch.Settle("node1", now.AddSeconds(30));
        watch.Settle("node2", now.AddSeconds(30));

        Assert.Empty(Plan(watch, servers, domains, now.AddSeconds(10)).Moves);

        // After the settle time, samples taken before it do not count: the streak starts from fresh ones.
        for (var s = 30; s <= 60; s += 2) watch.Observe(Busy(now.AddSeconds(s)).Servers, _ => Pool.Thresholds);
        Assert.Empty(Plan(watch, Busy(now.AddSeconds(60)).Servers, domains, now.AddSeconds(60)).Moves); // 30 s sustained
        for (var s = 62; s <= 90; s += 2) watch.Observe(Busy(now.AddSeconds(s)).Servers, _ => Pool.Thresholds);
        Assert.Equal("node2", Assert.Single(Plan(watch, Busy(now.AddSeconds(90)).Servers, domains, now.AddSeconds(90)).Moves).To);
    }

    [Fact]
    public void Bad_settings_are_refused_naming_the_key()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString("max-concurrent-moves = 0");
        var error = Assert.Throws<ArgumentException>(() => BalancingSettings.FromConfig(config));
        Assert.Contains("vmc.balance.max-concurrent-moves", error.Message);
        var margin = Akka.Configuration.ConfigurationFactory.ParseString("margin = 100");
        Assert.Contains("vmc.balance.margin", Assert.Throws<ArgumentException>(() => BalancingSettings.FromConfig(margin)).Message);
    }
}
