using Akka.Actor;
using Actors.Domains.Index;

namespace Actors.Servers.Load;

/// <summary>
/// Every server's last load sample as a replicated map (server name → load), written by each node's sampler every
/// few seconds. Kept apart from the <see cref="ServerIndex"/> so that the servers' static facts do not churn.
/// </summary>
public sealed class LoadIndex(ActorSystem system)
{
    private readonly ReplicatedIndex<ServerLoad> _map = new(system, "load-index");

    public void Publish(string server, ServerLoad load) => _map.Publish(server, load);

    /// <summary>This node's current copy of the index.</summary>
    public Task<IReadOnlyDictionary<string, ServerLoad>> ReadAsync() => _map.ReadAsync();
}
