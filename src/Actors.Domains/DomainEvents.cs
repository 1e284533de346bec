namespace Actors.Domains;

/// <summary>Who did it, when (UTC), under which job, on which node. Carried by every persisted event.</summary>
public sealed record EventMeta(string Principal, DateTimeOffset At, string? JobId, string Node);

/// <summary>Persisted facts about one domain. Serialized with stable manifests (see Serialization).</summary>
public static class DomainEvents
{
    public interface IDomainEvent
    {
        string Name { get; }
        EventMeta Meta { get; }
    }

    public sealed record Created(string Name, DomainSpec Spec, EventMeta Meta) : IDomainEvent;
    public sealed record StartRequested(string Name, EventMeta Meta) : IDomainEvent;
    public sealed record StopRequested(string Name, int TimeoutSeconds, EventMeta Meta) : IDomainEvent;
    public sealed record KillRequested(string Name, EventMeta Meta) : IDomainEvent;
    public sealed record RestartRequested(string Name, int TimeoutSeconds, EventMeta Meta) : IDomainEvent;
    public sealed record PauseRequested(string Name, EventMeta Meta) : IDomainEvent;
    public sealed record ResumeRequested(string Name, EventMeta Meta) : IDomainEvent;
    public sealed record Deleted(string Name, EventMeta Meta) : IDomainEvent;

    /// <summary>The VMM runs on Server with Pid.</summary>
    public sealed record Started(string Name, string Server, int Pid, EventMeta Meta) : IDomainEvent;

    public sealed record MigrationRequested(string Name, string To, EventMeta Meta) : IDomainEvent;

    /// <summary>
    /// The scheduler chose the domain's server (kind start, migrate, failover, evacuate, balance) for the reason given.
    /// Starts false: a failover that leaves the domain stopped there.
    /// </summary>
    public sealed record Placed(string Name, string Kind, string? From, string To, string Reason, EventMeta Meta, bool Starts = true) : IDomainEvent;

    /// <summary>The VM now runs on To (Pid there); the source VMM stopped before the target resumed.</summary>
    public sealed record Migrated(string Name, string From, string To, int Pid, long TotalMs, long DowntimeMs, EventMeta Meta) : IDomainEvent;

    /// <summary>The migration failed, timed out or was refused; the VM still runs on its server.</summary>
    public sealed record MigrationFailed(string Name, string To, string Reason, EventMeta Meta) : IDomainEvent;

    /// <summary>After a node restart, the VMM that survived was taken over again.</summary>
    public sealed record Adopted(string Name, string Server, int Pid, bool Paused, EventMeta Meta) : IDomainEvent;

    /// <summary>The VMM could not be started; the domain stays stopped.</summary>
    public sealed record StartFailed(string Name, string Reason, EventMeta Meta) : IDomainEvent;

    public sealed record Paused(string Name, EventMeta Meta) : IDomainEvent;
    public sealed record Resumed(string Name, EventMeta Meta) : IDomainEvent;

    /// <summary>The VMM ended as asked or by the guest's own power-off. Reason says which.</summary>
    public sealed record Stopped(string Name, string Reason, EventMeta Meta) : IDomainEvent;

    /// <summary>The VMM ended unexpectedly. WillRestart is the restart policy's verdict.</summary>
    public sealed record Crashed(string Name, string Reason, bool WillRestart, EventMeta Meta) : IDomainEvent;

    /// <summary>
    /// The domain's VMM is gone without an exit being seen: not found after a node restart, or its server failed
    /// or left. KeepDesired: whether it is started again (same server, or an HA domain) or stays stopped.
    /// </summary>
    public sealed record VmmLost(string Name, string Reason, EventMeta Meta, bool KeepDesired = true) : IDomainEvent;
}
