using Akka.Actor;
using Akka.Event;
using Actors.Domains;
using Actors.Domains.Index;

namespace Actors.Servers.Scheduling;

/// <summary>How the balancer sees the pools and moves domains; the host supplies them.</summary>
/// <param name="Snapshot">The scheduler's view now: servers with their load, domains, pool settings, groups.</param>
/// <param name="Migrate">Live-migrates a domain as <c>vmc domain migrate</c> does (a job of principal "balancer"
/// with the move's reason); fails with the refusal.</param>
public sealed record BalancingPorts(
    Func<Task<SchedulingSnapshot>> Snapshot,
    Func<BalanceMove, Task> Migrate);

/// <summary>
/// Runs once in the cluster: every interval, reads the load and domain indexes, tracks which servers stay above
/// their pool's thresholds, and live-migrates what <see cref="BalancingPlanner"/> plans for pools with balancing
/// on. Remembers its moves (cooldown per domain, servers settle after a move, moves in flight count against the
/// pool's limit), so nothing ping-pongs. An operator's <see cref="PlanNow"/> plans (and runs, unless a dry run) one
/// pool at once, with the same memory.
/// </summary>
public sealed class BalancingManager : ReceiveActor, IWithTimers
{
    /// <summary>Plan the pool's balancing now; run the plan unless <paramref name="DryRun"/>. Answered with <see cref="Planned"/>.</summary>
    public sealed record PlanNow(string Pool, bool DryRun) : IClusterMessage;

    public sealed record Planned(BalancePlan Plan, bool Executed) : IClusterMessage;

    private sealed record Tick;
    private sealed record Snapshot(SchedulingSnapshot Scheduling, IReadOnlyDictionary<string, DomainIndexEntry> Domains,
        IReadOnlyDictionary<string, PoolSettings> Pools)
    {
        public IReadOnlyList<ServerCapacity> Servers => Scheduling.Servers;
    }
    private sealed record Requested(Snapshot Snapshot, PlanNow Request, IActorRef ReplyTo);
    private sealed record Refused(BalanceMove Move, string Reason);
    private sealed record InFlight(BalanceMove Move, DateTimeOffset Started);

    /// <summary>A migration the balancer started and never saw end (the index shows neither outcome) is forgotten after this.</summary>
    private static readonly TimeSpan MoveTimeout = TimeSpan.FromMinutes(3);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly BalancingPorts _ports;
    private readonly BalancingSettings _settings;
    private readonly BalancingWatch _watch = new();
    private readonly Dictionary<string, DateTimeOffset> _movedAt = new();
    private readonly Dictionary<string, InFlight> _inFlight = new();
    private HashSet<string> _noted = new();
    private bool _loading;

    public BalancingManager(BalancingPorts ports, BalancingSettings settings)
    {
        _ports = ports;
        _settings = settings;
        Receive<Tick>(_ =>
        {
            if (_loading) return;
            _loading = true;
            LoadAsync().PipeTo(Self, Self, s => s, ex => new Status.Failure(ex));
        });
        Receive<Snapshot>(s =>
        {
            _loading = false;
            Observe(s);
            var notes = new HashSet<string>();
            foreach (var pool in s.Pools.Values.Where(p => p.Balancing).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                var plan = Plan(pool, s, requireSustained: true);
                Execute(plan);
                notes.UnionWith(plan.Notes);
            }
            // A situation is logged when it begins, not at every round it lasts.
            foreach (var note in notes.Except(_noted)) _log.Info("balance: {0}", note);
            _noted = notes;
        });
        Receive<PlanNow>(m =>
        {
            var replyTo = Sender;
            LoadAsync().PipeTo(Self, Self, s => new Requested(s, m, replyTo), ex => new Status.Failure(ex));
        });
        Receive<Requested>(r =>
        {
            Observe(r.Snapshot);
            // An operator may balance a pool whose automatic balancing is off: the plan does not depend on it.
            var pool = r.Snapshot.Scheduling.SettingsOf(r.Request.Pool);
            var plan = Plan(pool, r.Snapshot, requireSustained: false);
            if (!r.Request.DryRun) Execute(plan);
            r.ReplyTo.Tell(new Planned(plan, !r.Request.DryRun));
        });
        Receive<Refused>(r =>
        {
            _log.Warning("balance: domain {0} did not move from {1} to {2}: {3}", r.Move.Domain, r.Move.From, r.Move.To, r.Reason);
            _inFlight.Remove(r.Move.Domain);
            SettleAfter(r.Move);
        });
        Receive<Status.Failure>(f =>
        {
            _loading = false;
            _log.Warning("balance: {0}", f.Cause.Message);
        });
        Timers.StartPeriodicTimer("tick", new Tick(), settings.Interval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BalancingPorts ports, BalancingSettings settings) =>
        Akka.Actor.Props.Create(() => new BalancingManager(ports, settings));

    private async Task<Snapshot> LoadAsync()
    {
        var snapshot = await _ports.Snapshot();
        return new Snapshot(snapshot, snapshot.Domains.ToDictionary(d => d.Name),
            snapshot.Servers.Select(s => s.Pool).Distinct().ToDictionary(p => p, snapshot.SettingsOf));
    }

    private BalancePlan Plan(PoolSettings pool, Snapshot s, bool requireSustained)
    {
        var inFlight = _inFlight.Values.Count(m => s.Domains.GetValueOrDefault(m.Move.Domain)?.Pool == pool.Name);
        return BalancingPlanner.Plan(pool, _settings, s.Scheduling, _watch,
            new BalanceHistory(_movedAt, inFlight), DateTimeOffset.UtcNow, requireSustained);
    }

    /// <summary>New samples into the watch; moves whose end the domain index shows are done, and their servers settle.</summary>
    private void Observe(Snapshot s)
    {
        _watch.Observe(s.Servers, pool => s.Scheduling.SettingsOf(pool).Thresholds);
        var now = DateTimeOffset.UtcNow;
        foreach (var (domain, flight) in _inFlight.ToList())
        {
            var entry = s.Domains.GetValueOrDefault(domain);
            var arrived = entry is { State: "running" or "paused" } && entry.Server == flight.Move.To;
            var failed = entry is null || (entry.State != "migrating" && entry.Server == flight.Move.From && entry.UpdatedAt > flight.Started);
            if (!arrived && !failed && now - flight.Started < MoveTimeout) continue;
            _log.Info("balance: domain {0} {1} {2}", domain, arrived ? "moved to" : "did not move to", flight.Move.To);
            _inFlight.Remove(domain);
            SettleAfter(flight.Move);
        }
    }

    private void Execute(BalancePlan plan)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var move in plan.Moves)
        {
            _log.Info("balance: domain {0} moves from {1} to {2} ({3})", move.Domain, move.From, move.To, move.Reason);
            _movedAt[move.Domain] = now;
            _inFlight[move.Domain] = new InFlight(move, now);
            // Neither server is judged while the move runs; they settle once it has ended.
            _watch.Settle(move.From, DateTimeOffset.MaxValue);
            _watch.Settle(move.To, DateTimeOffset.MaxValue);
            _ports.Migrate(move).PipeTo(Self, Self, () => new Tick(), ex => new Refused(move, ex.Message));
        }
    }

    private void SettleAfter(BalanceMove move)
    {
        var until = DateTimeOffset.UtcNow + _settings.Settle;
        _watch.Settle(move.From, until);
        _watch.Settle(move.To, until);
    }
}
