using Akka.Actor;
using Akka.Event;
using Actors.Domains.Index;

namespace Actors.Servers.Scheduling;

/// <summary>How the failover manager sees and moves things; the host supplies them.</summary>
/// <param name="MoveShard">Sets where a domain's shard lives (its server's cluster address).</param>
/// <param name="Wake">Sends a domain a message through the shard region of the server at the given address, so
/// that the shard is allocated there even before every node has seen its new location.</param>
public sealed record SchedulerPorts(
    Func<Task<IReadOnlyList<ServerCapacity>>> Servers,
    Func<Task<IReadOnlyDictionary<string, DomainIndexEntry>>> Domains,
    Func<string, string, Task> MoveShard,
    Action<string, string> Wake);

/// <summary>
/// Runs once in the cluster. When a server has been downed and removed, every domain that lived there gets a
/// new server in its pool: HA domains where placement finds room (they start again there, once their lease
/// has passed), the others on the least used server of the pool, where they stay stopped. A server that is
/// only unreachable is left alone: its VMs may still run until the Split Brain Resolver has decided.
/// </summary>
public sealed class FailoverManager : ReceiveActor, IWithTimers
{
    private sealed record Tick;
    private sealed record Snapshot(IReadOnlyList<ServerCapacity> Servers, IReadOnlyDictionary<string, DomainIndexEntry> Domains);
    private sealed record Moved(string Domain, string From, string To, bool Ha);

    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, DateTime> _inFlight = new();
    private readonly HashSet<string> _reported = new();
    private bool _busy;

    public FailoverManager(SchedulerPorts ports)
    {
        Receive<Tick>(_ =>
        {
            if (_busy) return;
            _busy = true;
            LoadAsync(ports).PipeTo(Self, Self, s => s, ex => new Status.Failure(ex));
        });
        Receive<Snapshot>(s =>
        {
            _busy = false;
            foreach (var move in Plan(s)) MoveAsync(ports, move).PipeTo(Self, Self, () => move, ex => new Status.Failure(ex));
        });
        Receive<Moved>(m => _log.Info("failover: domain {0} moves from failed server {1} to {2}{3}", m.Domain, m.From, m.To,
            m.Ha ? " and starts there" : " (not HA: stays stopped)"));
        Receive<Status.Failure>(f =>
        {
            _busy = false;
            _log.Warning("failover: {0}", f.Cause.Message);
        });
        Timers.StartPeriodicTimer("tick", new Tick(), Interval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SchedulerPorts ports) => Akka.Actor.Props.Create(() => new FailoverManager(ports));

    private static async Task<Snapshot> LoadAsync(SchedulerPorts ports) => new(await ports.Servers(), await ports.Domains());

    private static async Task MoveAsync(SchedulerPorts ports, Moved move)
    {
        await ports.MoveShard(move.Domain, move.To);
        ports.Wake(move.Domain, move.To);
    }

    private IEnumerable<Moved> Plan(Snapshot s)
    {
        var byName = s.Servers.ToDictionary(x => x.Name);
        var now = DateTime.UtcNow;
        var placed = s.Domains.Values.ToList();
        foreach (var domain in s.Domains.Values.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            // Only servers known to be gone: registered, and no longer a cluster member (downed and removed).
            if (!byName.TryGetValue(domain.Server, out var server) || !server.Down) continue;
            if (_inFlight.TryGetValue(domain.Name, out var since) && now - since < RetryAfter) continue;

            var ha = domain.Ha && domain.Desired != "stopped";
            var request = new PlacementRequest(domain.Name, domain.Pool, ha ? domain.Vcpus : 0, ha ? domain.MemoryMiB : 0);
            var result = Placement.Choose(request, s.Servers, placed);
            if (result.Server is not { } target)
            {
                if (_reported.Add(domain.Name))
                    _log.Warning("failover: domain {0} cannot leave failed server {1}: {2}", domain.Name, domain.Server, result.Reason);
                continue;
            }
            _reported.Remove(domain.Name);
            _inFlight[domain.Name] = now;
            // Count it on its new server at once, so that the next domain's placement sees the room it takes.
            placed.Add(domain with { Server = target.Name, State = ha ? "starting" : "stopped" });
            yield return new Moved(domain.Name, domain.Server, target.Address, ha);
        }
    }
}
