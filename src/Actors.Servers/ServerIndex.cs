using Akka.Actor;
using Actors.Domains.Index;

namespace Actors.Servers;

/// <summary>
/// Every registered server's facts as a replicated map (name → view), written by each server when it registers
/// and spread by gossip. Placement and failover read it locally: a failed server's entity may be out of reach
/// exactly when its domains need new homes, and a failover manager that just took over must not wait for it.
/// </summary>
public sealed class ServerIndex(ActorSystem system)
{
    private readonly ReplicatedIndex<ServerView> _map = new(system, "server-index");

    public void Publish(ServerView server) => _map.Publish(server.Name, server);

    /// <summary>This node's current copy of the index.</summary>
    public async Task<IReadOnlyCollection<ServerView>> ReadAsync() => [.. (await _map.ReadAsync()).Values];
}
