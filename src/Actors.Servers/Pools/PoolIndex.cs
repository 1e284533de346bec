using Akka.Actor;
using Actors.Domains.Index;
using Actors.Servers.Scheduling;

namespace Actors.Servers.Pools;

/// <summary>
/// Every pool's settings and anti-affinity groups as a replicated map (name → entry), written by the pool entities
/// and spread by gossip, so that the scheduler reads them without asking anyone. A pool missing here has the
/// default settings and no groups.
/// </summary>
public sealed class PoolIndex(ActorSystem system)
{
    private readonly ReplicatedIndex<PoolEntry> _map = new(system, "pool-index");

    /// <summary>The pool now; null: it was deleted.</summary>
    public void Publish(string name, PoolEntry? pool)
    {
        if (pool is null) _map.Remove(name);
        else _map.Publish(name, pool);
    }

    public async Task<IReadOnlyList<PoolEntry>> ReadAsync() => [.. (await _map.ReadAsync()).Values];
}
