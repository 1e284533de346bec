using Akka.Cluster.Sharding;

namespace Actors.Domains;

/// <summary>A message addressed to one named entity (a domain, a server).</summary>
public interface INamedEntityMessage : IClusterMessage
{
    string Name { get; }
}

/// <summary>
/// One shard per entity, so that an entity's shard location is exactly where it runs (a domain's shard is on
/// the server that runs its VM). Accepts only messages of type <typeparamref name="T"/>.
/// </summary>
public sealed class OneShardPerEntity<T> : IMessageExtractor where T : INamedEntityMessage
{
    public string? EntityId(object message) => message is T m ? m.Name : null;
    public object? EntityMessage(object message) => message;
    public string? ShardId(object message) => EntityId(message);
    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
