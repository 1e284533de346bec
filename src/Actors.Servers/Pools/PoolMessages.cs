using Actors.Domains;
using Actors.Servers.Scheduling;

namespace Actors.Servers.Pools;

public interface IPoolMessage : INamedEntityMessage;

public static class PoolCommands
{
    public sealed record Create(string Name, PoolSettings Settings, EventMeta Meta) : IPoolMessage;
    /// <summary>Replaces the pool's settings (the API merges what the operator changed into the current ones).</summary>
    public sealed record Change(string Name, PoolSettings Settings, EventMeta Meta) : IPoolMessage;
    public sealed record Delete(string Name, EventMeta Meta) : IPoolMessage;
    public sealed record Get(string Name) : IPoolMessage;
}

public static class PoolReplies
{
    /// <summary>The pool's settings now (after the change asked for); null: no such pool.</summary>
    public sealed record Found(PoolSettings? Pool) : IClusterMessage;
    public sealed record Refused(int Status, string Message) : IClusterMessage;
}

/// <summary>Persisted facts about one server pool.</summary>
public static class PoolEvents
{
    public interface IPoolEvent
    {
        string Name { get; }
        EventMeta Meta { get; }
    }

    public sealed record Created(string Name, PoolSettings Settings, EventMeta Meta) : IPoolEvent;
    public sealed record Changed(string Name, PoolSettings Settings, EventMeta Meta) : IPoolEvent;
    public sealed record Deleted(string Name, EventMeta Meta) : IPoolEvent;
}
