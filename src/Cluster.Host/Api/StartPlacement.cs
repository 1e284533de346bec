using Akka.Actor;
using Actors.Domains;
using Actors.Servers.Scheduling;

namespace Cluster.Host.Api;

/// <summary>
/// Before a stopped domain starts: ask the <see cref="Scheduler"/> for its server (by its pool's policy, or the
/// operator's --server checked by the same rules) and move the domain's shard there, so that the domain actor, and
/// the VMM it starts, live on that server. A migration's target is checked by the same rules.
/// </summary>
public sealed class StartPlacement(ActorSystem system, NodeDirectory dir)
{
    public static readonly TimeSpan MoveDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The scheduler's decision when the domain may be asked to start (null: the domain answers itself, 404 or 409);
    /// otherwise the refusal (nothing has changed).
    /// </summary>
    public async Task<(SchedulerDecision? Decision, string? Error, int Status, string? Field)> PlaceAsync(string name, string? server)
    {
        if (await GetAsync(name) is not { } view) return (null, null, 0, null); // the domain itself answers 404
        if (view.State is not ("stopped" or "crashed")) return (null, null, 0, null); // and 409 when it cannot start

        var result = await ChooseAsync(PlacementKind.Start, view, server);
        if (result.Server is not { } target)
            return (null, result.Reason, 409, server is null ? null : "server");
        var decision = new SchedulerDecision("start", null, target.Name, result.Reason);
        if (target.Name == view.Server) return (decision, null, 0, null);

        DomainWiring.MoveShard(system, name, target.Address);
        var until = DateTime.UtcNow + MoveDeadline;
        while (DateTime.UtcNow < until)
        {
            // Sharding drops messages buffered during a hand-off: ask briefly, and again.
            try
            {
                if ((await GetAsync(name, PollTimeout))?.Server == target.Name) return (decision, null, 0, null);
            }
            catch (AskTimeoutException) { }
            await Task.Delay(100);
        }
        return (null, $"domain {name} did not move to server {target.Name} within {MoveDeadline.TotalSeconds:0} s", 503, null);
    }

    /// <summary>The cluster address of <paramref name="to"/> and the decision if the domain may live-migrate there; else why not.</summary>
    public async Task<(string? Address, SchedulerDecision? Decision, string? Refusal)> CheckTargetAsync(string name, string to,
        PlacementKind kind = PlacementKind.Migrate)
    {
        if (await GetAsync(name) is not { } view) return (null, null, $"domain {name} does not exist");
        var result = await ChooseAsync(kind, view, to);
        return result.Server is { } target
            ? (target.Address, new SchedulerDecision(kind.ToString().ToLowerInvariant(), view.Server, target.Name, result.Reason), null)
            : (null, null, result.Reason);
    }

    /// <summary>The scheduler over the servers and domains as this node sees them now.</summary>
    private async Task<PlacementResult> ChooseAsync(PlacementKind kind, DomainView view, string? server) =>
        Scheduler.Place(new PlacementRequest(kind, view.Name, view.Pool, view.Vcpus, view.MemoryMiB, view.Server, server),
            await new SchedulingSnapshots(system).ReadAsync());

    private async Task<DomainView?> GetAsync(string name, TimeSpan? timeout = null) =>
        await dir.Domains.Ask<DomainReplies.IDomainReply>(new DomainCommands.Get(name), timeout ?? NodeDirectory.AskTimeout) is DomainReplies.Accepted a
            ? a.Domain
            : null;
}
