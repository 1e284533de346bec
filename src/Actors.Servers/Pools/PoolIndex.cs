using Akka.Actor;
using Actors.Domains.Index;
using Actors.Servers.Scheduling;

namespace Actors.Servers.Pools;

/// <summary>
/// Every pool's settings as a replicated map (name → settings), written by the pool entities and spread by gossip,
/// so that the scheduler reads them without asking anyone. A pool missing here has the default settings.
/// </summary>
public sealed class PoolIndex(ActorSystem system)
{
    private readonly ReplicatedIndex<PoolSettings> _map = new(system, "pool-index");

    /// <summary>The pool's settings now; null: it was deleted.</summary>
    public void Publish(string name, PoolSettings? pool)
    {
        if (pool is null) _map.Remove(name);
        else _map.Publish(name, pool);
    }

    public Task<IReadOnlyDictionary<string, PoolSettings>> ReadAsync() => _map.ReadAsync();
}
