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

    // Anti-affinity groups live in their pool: a group's domains are the pool's (the API checks membership rules).
    public sealed record CreateGroup(string Name, string Group, EventMeta Meta) : IPoolMessage;
    public sealed record AddToGroup(string Name, string Group, IReadOnlyList<string> Domains, EventMeta Meta) : IPoolMessage;
    public sealed record RemoveFromGroup(string Name, string Group, IReadOnlyList<string> Domains, EventMeta Meta) : IPoolMessage;
    public sealed record DeleteGroup(string Name, string Group, EventMeta Meta) : IPoolMessage;
}

/// <summary>A pool as it is now: its settings and its anti-affinity groups (what the pool index replicates).</summary>
public sealed record PoolEntry(PoolSettings Settings, IReadOnlyList<AntiAffinityGroup> Groups);

public static class PoolReplies
{
    /// <summary>The pool now (after the change asked for); null: no such pool.</summary>
    public sealed record Found(PoolEntry? Pool) : IClusterMessage;
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
    public sealed record GroupCreated(string Name, string Group, EventMeta Meta) : IPoolEvent;
    public sealed record GroupMembersAdded(string Name, string Group, IReadOnlyList<string> Domains, EventMeta Meta) : IPoolEvent;
    public sealed record GroupMembersRemoved(string Name, string Group, IReadOnlyList<string> Domains, EventMeta Meta) : IPoolEvent;
    public sealed record GroupDeleted(string Name, string Group, EventMeta Meta) : IPoolEvent;
}
