using System.Runtime.CompilerServices;
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
/// A read copies every domain of the index, so the placements asked for while one read runs share it: a thousand
/// starts at once read the index a few times, not a thousand times (each is as fresh as a read started when it
/// asked; the index itself is only as fresh as gossip).
/// </summary>
public sealed class SchedulingSnapshots(ActorSystem system)
{
    private static readonly ConditionalWeakTable<ActorSystem, SharedRead> Reads = new();

    public Task<SchedulingSnapshot> ReadAsync() => Reads.GetValue(system, _ => new SharedRead()).Join(ReadNowAsync);

    private async Task<SchedulingSnapshot> ReadNowAsync()
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

    /// <summary>The read in progress, which every caller until it ends joins; the next caller after it starts another.</summary>
    private sealed class SharedRead
    {
        private readonly Lock _gate = new();
        private Task<SchedulingSnapshot>? _running;

        public Task<SchedulingSnapshot> Join(Func<Task<SchedulingSnapshot>> read)
        {
            lock (_gate)
            {
                if (_running is { IsCompleted: false } running) return running;
                return _running = read();
            }
        }
    }
}
