using Akka.Actor;
using Akka.Hosting;
using Actors.Domains.Index;
using Actors.Servers.Scheduling;
using Cluster.Host.Api;

namespace Cluster.Host;

/// <summary>
/// The balancer singleton's ports: servers with their load and domains from the replicated indexes, pool settings
/// (for now every pool's defaults with <c>vmc.balance</c> applied; pool entities at merge), and live migration through
/// the API's own path, as principal "balancer".
/// </summary>
public static class BalanceWiring
{
    public const string Principal = "balancer";

    public static Props Props(ActorSystem system, IReadOnlyActorRegistry registry, BalancingSettings settings)
    {
        var dir = new NodeDirectory(registry, system);
        var placement = new StartPlacement(system, dir);
        var ports = new BalancingPorts(
            () => DomainWiring.ServerCapacities(system),
            new DomainIndex(system).ReadAsync,
            pool => Task.FromResult(settings.Apply(PoolSettings.DefaultFor(pool))),
            async move =>
            {
                var submitted = await DomainJobs.MigrateAsync(dir, placement, move.Domain, move.To, Principal, move.Reason);
                if (submitted.Job is null) throw new InvalidOperationException(submitted.Error);
            });
        return BalancingManager.Props(ports, settings);
    }
}
