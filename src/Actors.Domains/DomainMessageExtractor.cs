using Akka.Cluster.Sharding;

namespace Actors.Domains;

/// <summary>One shard per domain, so that a domain's shard location is the server that runs it.</summary>
public sealed class DomainMessageExtractor : IMessageExtractor
{
    public string? EntityId(object message) => (message as IDomainMessage)?.Name;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message);

    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
