using Akka.Actor;
using Akka.Hosting;
using Actors.Servers.Scheduling;
using Cluster.Host.Api;

namespace Cluster.Host;

/// <summary>
/// The balancer singleton's ports: the scheduler's snapshot from the replicated indexes (servers with their load,
/// domains, pool settings, groups), and live migration through the API's own path, as principal "balancer".
/// </summary>
public static class BalanceWiring
{
    public const string Principal = "balancer";

    public static Props Props(ActorSystem system, IReadOnlyActorRegistry registry, BalancingSettings settings)
    {
        var dir = new NodeDirectory(registry, system);
        var placement = new StartPlacement(system, dir);
        var ports = new BalancingPorts(
            new SchedulingSnapshots(system).ReadAsync,
            async move =>
            {
                var submitted = await DomainJobs.MigrateAsync(dir, placement, move.Domain, move.To, Principal, PlacementKind.Balance, move.Reason);
                if (submitted.Job is null) throw new InvalidOperationException(submitted.Error);
            });
        return BalancingManager.Props(ports, settings);
    }
}
