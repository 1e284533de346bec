using Actors.Domains;
using Vmm.Native;

namespace Actors.Servers;

public interface IServerMessage : INamedEntityMessage;

public static class ServerCommands
{
    /// <summary>The node announces itself: sent by its <see cref="ServerAgent"/> at every start.</summary>
    public sealed record Register(string Name, string Address, string Pool, HostFacts Facts) : IServerMessage;
    public sealed record Get(string Name) : IServerMessage;
    /// <summary>The server joins <paramref name="Pool"/> (the API checked that the pool exists and nothing runs there).</summary>
    public sealed record MoveToPool(string Name, string Pool, EventMeta Meta) : IServerMessage;
    /// <summary>Maintenance on: the scheduler places nothing new there (an evacuation moves its domains off); off: it does again.</summary>
    public sealed record SetMaintenance(string Name, bool On, EventMeta Meta) : IServerMessage;
}

public static class ServerReplies
{
    public sealed record Registered(ServerView Server) : IClusterMessage;
    public sealed record Found(ServerView? Server) : IClusterMessage;
}

/// <summary>Persisted facts about one server.</summary>
public static class ServerEvents
{
    public interface IServerEvent
    {
        string Name { get; }
        EventMeta Meta { get; }
    }

    /// <summary>The node came up (again) with these facts. Pool: the node's option, the server's pool only if it is new.</summary>
    public sealed record Registered(string Name, string Address, string Pool, HostFacts Facts, EventMeta Meta) : IServerEvent;

    /// <summary>An operator moved the server to another pool.</summary>
    public sealed record PoolChanged(string Name, string Pool, EventMeta Meta) : IServerEvent;

    /// <summary>An operator put the server into maintenance (On) or took it out.</summary>
    public sealed record MaintenanceChanged(string Name, bool On, EventMeta Meta) : IServerEvent;
}

/// <summary>What the API and vmc show of a server.</summary>
public sealed record ServerView(
    string Name,
    string Address,
    string Pool,
    int Cpus,
    long MemoryMiB,
    string Hypervisor,
    string? QemuVersion,
    string Vmm,
    DateTimeOffset RegisteredAt,
    bool Maintenance = false);
