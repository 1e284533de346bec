using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Actors.Domains;
using Actors.Domains.Index;

namespace Actors.Servers.Scheduling;

/// <summary>How the failover manager sees and moves things; the host supplies them.</summary>
/// <param name="Snapshot">What the scheduler reads: servers, domains (the replicated index), pools, groups.</param>
/// <param name="DomainNames">Every domain that exists (the domain catalog).</param>
/// <param name="StatusOf">A server's cluster status right now, by its cluster address ("up", "down", …).</param>
/// <param name="MoveShard">Sets where a domain's shard lives (its server's cluster address).</param>
/// <param name="Tell">Sends a domain a message through the shard region of the server at the given address, so
/// that the shard is allocated there even before every node has seen its new location.</param>
public sealed record SchedulerPorts(
    Func<Task<SchedulingSnapshot>> Snapshot,
    Func<Task<IReadOnlyList<string>>> DomainNames,
    Func<string, string> StatusOf,
    Action<string, string> MoveShard,
    Action<IDomainMessage, string> Tell);

/// <summary>
/// Runs once in the cluster and is the one place that decides where the domains of a failed server go. When a
/// server has been downed and removed, every domain that lived there gets a new server in its pool from the
/// <see cref="Scheduler"/>: HA domains of an HA pool where it finds room (they start again there, once their lease
/// has passed), the others on any up server of the pool, where they stay stopped; so does an HA domain that no
/// server can take running (capacity, anti-affinity). Each decision is sent to the domain, which records it with
/// its reason (and, when it stays stopped, why). A server that is only unreachable is left alone: its VMs
/// may still run until the Split Brain Resolver has decided.
/// The shard coordinator asks the same question (<see cref="WhereTo"/>) when a message reaches such a domain
/// before the manager moved it, so the domain is started once, on its chosen server, not first wherever the
/// message came from.
/// A domain started just before its server failed may not be in the replicated index yet (it spreads by gossip):
/// after each removal, every domain of the catalog that the index does not know is woken here, so that it
/// recovers what it should be (running, if it was started) instead of waiting for someone to ask for it.
/// </summary>
public sealed class FailoverManager : ReceiveActor, IWithTimers
{
    /// <summary>Where should this domain's shard be allocated? Answered with <see cref="Home"/>.</summary>
    public sealed record WhereTo(string Domain);

    /// <summary>The chosen server's cluster address; null when the domain's server has not failed (or no room).</summary>
    public sealed record Home(string? Address);

    private sealed record Tick;
    private sealed record Snapshot(SchedulingSnapshot Scheduling, IReadOnlyDictionary<string, DomainIndexEntry> Domains)
    {
        public IReadOnlyList<ServerCapacity> Servers => Scheduling.Servers;
    }
    /// <param name="Ha">May start there.</param> <param name="Runs">Counted as running there (room taken).</param>
    private sealed record Move(string Domain, string From, string To, string ToAddress, bool Ha, string Reason, bool Runs);
    private sealed record Decision(DateTime At, Move Move);
    private sealed record Unindexed(IReadOnlyList<string> Names);

    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private const int IdleEvery = 4;
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SchedulerPorts _ports;
    private readonly Dictionary<string, Decision> _decided = new();
    private readonly HashSet<string> _reported = new();
    private readonly List<(string Domain, IActorRef ReplyTo)> _waiting = new();
    private Snapshot? _last;
    private bool _loading;
    private bool _waitingOnFailed;
    private int _idleTicks;

    public FailoverManager(SchedulerPorts ports)
    {
        _ports = ports;
        Receive<Tick>(_ =>
        {
            // Reading the whole index costs a node of 100,000 domains real CPU: while no domain waits on a failed
            // server, every IdleEvery-th tick is enough (a removal is acted on at once all the same).
            if (_waitingOnFailed || ++_idleTicks >= IdleEvery) Load();
        });
        Receive<ClusterEvent.MemberRemoved>(_ =>
        {
            Load();
            WakeUnindexedAsync().PipeTo(Self, Self, n => n, ex => new Status.Failure(ex));
        });
        Receive<Unindexed>(m =>
        {
            if (m.Names.Count == 0) return;
            _log.Info("failover: waking {0} domain(s) the index does not know yet: {1}", m.Names.Count, string.Join(", ", m.Names));
            var self = Cluster.Get(Context.System).SelfAddress.ToString();
            foreach (var name in m.Names) _ports.Tell(new DomainCommands.Wake(name), self);
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<Snapshot>(s =>
        {
            _loading = false;
            var first = _last is null;
            _last = s;
            _idleTicks = 0;
            var live = Live(s);
            // A manager that takes over after its predecessor's server was removed never sees that removal: it looks
            // for domains the index does not know once, if a server is already gone (found by the fault suite: a
            // domain created just before the oldest server froze, with the manager on it, was never woken).
            if (first && live.Servers.Any(x => x.Down))
                WakeUnindexedAsync().PipeTo(Self, Self, n => n, ex => new Status.Failure(ex));
            var failed = live.Servers.Where(x => x.Down).Select(x => x.Name).ToHashSet(StringComparer.Ordinal);
            var onFailed = live.Domains.Values.Where(d => failed.Contains(d.Server)).Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
            _waitingOnFailed = onFailed.Count > 0;
            foreach (var domain in onFailed)
                if (!IsRecent(domain) && Decide(domain, live) is { } move) Execute(move);
            foreach (var (domain, replyTo) in _waiting) replyTo.Tell(new Home(Decide(domain, live)?.ToAddress));
            _waiting.Clear();
        });
        Receive<WhereTo>(m =>
        {
            if (_last is null)
            {
                _waiting.Add((m.Domain, Sender));
                Load();
                return;
            }
            // The coordinator asks right after a server was removed, possibly before the next snapshot: the
            // domains are as last read, the servers' status is as of now.
            var decided = IsRecent(m.Domain);
            var move = Decide(m.Domain, Live(_last));
            if (move is not null && !decided) Execute(move);
            Sender.Tell(new Home(move?.ToAddress));
        });
        Receive<Status.Failure>(f =>
        {
            _loading = false;
            _log.Warning("failover: {0}", f.Cause.Message);
            foreach (var (_, replyTo) in _waiting) replyTo.Tell(new Home(null));
            _waiting.Clear();
        });
        Timers.StartPeriodicTimer("tick", new Tick(), Interval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SchedulerPorts ports) => Akka.Actor.Props.Create(() => new FailoverManager(ports));

    // A removed server is acted on at once, not at the next tick.
    protected override void PreStart() =>
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    private void Load()
    {
        if (_loading) return;
        _loading = true;
        LoadAsync(_ports).PipeTo(Self, Self, s => s, ex => new Status.Failure(ex));
    }

    private async Task<Unindexed> WakeUnindexedAsync()
    {
        var names = await _ports.DomainNames();
        var indexed = (await _ports.Snapshot()).Domains.Select(d => d.Name).ToHashSet();
        return new Unindexed([.. names.Where(n => !indexed.Contains(n))]);
    }

    private static async Task<Snapshot> LoadAsync(SchedulerPorts ports)
    {
        var snapshot = await ports.Snapshot();
        return new(snapshot, snapshot.Domains.ToDictionary(d => d.Name));
    }

    private Snapshot Live(Snapshot s) => s with
    {
        Scheduling = s.Scheduling with { Servers = [.. s.Servers.Select(x => x with { Status = _ports.StatusOf(x.Address) })] },
    };

    private void Execute(Move move)
    {
        _decided[move.Domain] = new Decision(DateTime.UtcNow, move);
        Rehome(move);
        _log.Info("failover: domain {0} moves from failed server {1} to {2}{3} ({4})", move.Domain, move.From,
            move.To, move.Ha ? " and starts there" : " (not HA: stays stopped)", move.Reason);
    }

    /// <summary>
    /// Moves the shard, then tells the domain the decision through its new server's region: the message wakes it
    /// there and is recorded before its recovery has decided whether to start (the adoption it begins with is
    /// asynchronous), so a domain that must stay stopped never starts.
    /// </summary>
    private void Rehome(Move move)
    {
        _ports.MoveShard(move.Domain, move.ToAddress);
        _ports.Tell(new DomainCommands.Rehome(move.Domain, new SchedulerDecision("failover", move.From, move.To, move.Reason), move.Ha), move.ToAddress);
    }

    private bool IsRecent(string domain) =>
        _decided.TryGetValue(domain, out var d) && DateTime.UtcNow - d.At < RetryAfter;

    /// <summary>
    /// Where a domain of a failed server goes: the decision already taken for it while it is fresh, else a new one
    /// by placement, counting the domains already decided on their new servers (each decision is recorded before
    /// the next domain is decided, so they share the room left).
    /// </summary>
    private Move? Decide(string name, Snapshot s)
    {
        if (!s.Domains.TryGetValue(name, out var domain)) return null;
        var server = s.Servers.FirstOrDefault(x => x.Name == domain.Server);
        // Only servers known to be gone: registered, and no longer a cluster member (downed and removed).
        if (server is null || !server.Down) return null;
        if (IsRecent(name)) return _decided[name].Move;

        // Whether it may start there (HA, in a pool with HA on) is decided here; whether it was started is the domain's
        // own journal's to say: the index may not have seen a start acknowledged just before the failure, so a domain
        // the index believes stopped still may start (it needs no room here, and starts only if its journal says so).
        var ha = domain.Ha && s.Scheduling.SettingsOf(domain.Pool).Ha;
        var needsRoom = ha && domain.Desired != "stopped";
        var placed = s.Domains.Values
            .Select(d => _decided.TryGetValue(d.Name, out var m) && d.Server == m.Move.From
                ? d with { Server = m.Move.To, State = m.Move.Runs ? "starting" : "stopped" }
                : d)
            .ToList();
        var snapshot = s.Scheduling with { Domains = placed };
        var request = new PlacementRequest(PlacementKind.Failover, domain.Name, domain.Pool, domain.Vcpus, domain.MemoryMiB,
            LastServer: domain.Server, Runs: needsRoom);
        var result = Scheduler.Place(request, snapshot);
        var reason = result.Reason;
        if (result.Server is null && needsRoom)
        {
            // No server can take it running: it moves all the same, to stay stopped, and says why.
            var stopped = Scheduler.Place(request with { Runs = false }, snapshot);
            reason = $"{stopped.Reason}; cannot run anywhere ({result.Reason})";
            (result, ha, needsRoom) = (stopped, false, false);
        }
        else if (!ha && domain.Ha) reason = $"{reason}; pool {domain.Pool} has HA off";
        if (result.Server is not { } target)
        {
            if (_reported.Add(name))
                _log.Warning("failover: domain {0} cannot leave failed server {1}: {2}", name, domain.Server, result.Reason);
            return null;
        }
        _reported.Remove(name);
        return new Move(name, domain.Server, target.Name, target.Address, ha, reason, needsRoom);
    }
}
