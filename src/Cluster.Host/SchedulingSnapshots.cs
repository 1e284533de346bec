using Akka.Actor;
using Actors.Domains.Index;
using Actors.Servers;
using Actors.Servers.Load;
using Actors.Servers.Pools;
using Actors.Servers.Scheduling;

namespace Cluster.Host;

/// <summary>
/// The scheduler's view as this node has it now, from the replicated indexes (asks no one): every registered
/// server with its cluster status and last load sample, every domain, every pool's settings and anti-affinity groups.
/// </summary>
public sealed class SchedulingSnapshots(ActorSystem system)
{
    public async Task<SchedulingSnapshot> ReadAsync()
    {
        var status = new Api.ClusterView(system);
        var loads = await new LoadIndex(system).ReadAsync();
        IReadOnlyList<ServerCapacity> servers = [.. (await new ServerIndex(system).ReadAsync())
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new ServerCapacity(s.Name, s.Address, s.Pool, s.Cpus, s.MemoryMiB, status.StatusOf(s.Address), s.Maintenance,
                loads.GetValueOrDefault(s.Name)))];
        var domains = await new DomainIndex(system).ReadAsync();
        var pools = await new PoolIndex(system).ReadAsync();
        return new SchedulingSnapshot(servers, [.. domains.Values], pools.ToDictionary(p => p.Settings.Name, p => p.Settings),
            [.. pools.SelectMany(p => p.Groups)]);
    }
}
