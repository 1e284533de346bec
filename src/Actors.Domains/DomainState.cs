using static Actors.Domains.DomainCommands;
using static Actors.Domains.DomainEvents;

namespace Actors.Domains;

/// <summary>
/// A domain's persisted state and its pure rules: <see cref="Decide"/> turns a request into events or a
/// rejection; <see cref="Apply"/> folds an event in. No I/O, no clock: time comes in with the metadata.
/// </summary>
public sealed record DomainState
{
    /// <summary>Crashes inside this window count towards <see cref="MaxCrashesInWindow"/>.</summary>
    public static readonly TimeSpan CrashWindow = TimeSpan.FromMinutes(1);
    public const int MaxCrashesInWindow = 5;

    public static readonly DomainState Empty = new();

    public DomainSpec? Spec { get; init; }
    public DesiredState Desired { get; init; }
    public ActualState Actual { get; init; }
    public string? Server { get; init; }
    public int? Pid { get; init; }
    public int StopTimeoutSeconds { get; init; } = 30;
    public bool KillRequested { get; init; }
    public bool RestartPending { get; init; }
    /// <summary>The server a live migration is moving the VM to, while it runs.</summary>
    public string? MigratingTo { get; init; }
    public string? LastError { get; init; }
    /// <summary>How the VMM last ended: "guest-shutdown", "killed", "killed by signal 9", …</summary>
    public string? LastExit { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public IReadOnlyList<DateTimeOffset> RecentCrashes { get; init; } = [];

    public bool Exists => Spec is not null;

    /// <summary>True while a VMM is (or may be) alive for this domain.</summary>
    public bool VmmAlive => Actual is ActualState.Running or ActualState.Paused;

    /// <summary>The state an operator sees, including transitions in flight.</summary>
    public string StateWord => (Desired, Actual) switch
    {
        (DesiredState.Stopped, ActualState.Running or ActualState.Paused) => "stopping",
        (DesiredState.Running or DesiredState.Paused, ActualState.Stopped or ActualState.Crashed) => "starting",
        (DesiredState.Paused, ActualState.Running) => "pausing",
        (DesiredState.Running, ActualState.Running) when RestartPending => "restarting",
        (not DesiredState.Stopped, ActualState.Running or ActualState.Paused) when MigratingTo is not null => "migrating",
        (_, ActualState.Running) => "running",
        (_, ActualState.Paused) => "paused",
        (_, ActualState.Crashed) => "crashed",
        _ => "stopped",
    };

    public Decision Decide(IDomainCommand command, EventMeta meta)
    {
        var name = command.Name;
        if (command is Create create)
            return Exists
                ? Decision.Reject(409, $"domain {name} already exists")
                : Decision.Accept(new Created(name, create.Spec, meta));
        if (!Exists)
            return Decision.Reject(404, $"domain {name} does not exist");

        var state = StateWord;
        return command switch
        {
            Start start => Desired switch
            {
                DesiredState.Running => Decision.Reject(409, $"domain {name} is already {state}"),
                DesiredState.Paused => Decision.Reject(409, $"domain {name} is {state}; resume it instead"),
                _ when VmmAlive => Decision.Reject(409, $"domain {name} is stopping; wait until it has stopped, or kill it"),
                _ => Decision.Accept([new StartRequested(name, meta), .. PlacedBy(start, meta)]),
            },
            Stop stop => Desired == DesiredState.Stopped
                ? Decision.Reject(409, $"domain {name} is already {state}")
                : Decision.Accept(new StopRequested(name, stop.TimeoutSeconds, meta)),
            Kill => Desired == DesiredState.Stopped && !VmmAlive
                ? Decision.Reject(409, $"domain {name} is not running")
                : Decision.Accept(new KillRequested(name, meta)),
            DomainCommands.Restart restart => Desired == DesiredState.Stopped || !VmmAlive
                ? Decision.Reject(409, $"domain {name} is {state}; start it instead")
                : RestartPending
                    ? Decision.Reject(409, $"domain {name} is already restarting")
                    : Decision.Accept(new RestartRequested(name, restart.TimeoutSeconds, meta)),
            Pause => (Desired, Actual) switch
            {
                (DesiredState.Paused, _) => Decision.Reject(409, $"domain {name} is already {state}"),
                (DesiredState.Stopped, _) => Decision.Reject(409, $"domain {name} is {state}; start it before pause"),
                (_, ActualState.Running) when !RestartPending => Decision.Accept(new PauseRequested(name, meta)),
                _ => Decision.Reject(409, $"domain {name} is {state}; wait until it runs before pause"),
            },
            Migrate m => (VmmAlive && Desired != DesiredState.Stopped && !RestartPending, MigratingTo) switch
            {
                (false, _) => Decision.Reject(409, $"domain {name} is {state}; only a running or paused domain can migrate"),
                (_, not null) => Decision.Reject(409, $"domain {name} is already migrating to {MigratingTo}"),
                _ when m.To == Server => Decision.Reject(409, $"domain {name} already runs on {m.To}"),
                _ => Decision.Accept([new MigrationRequested(name, m.To, meta), .. PlacedBy(m, meta)]),
            },
            Resume => Desired == DesiredState.Paused
                ? Decision.Accept(new ResumeRequested(name, meta))
                : Decision.Reject(409, $"domain {name} is {state}, not paused; nothing to resume"),
            Delete => Desired == DesiredState.Stopped && !VmmAlive
                ? Decision.Accept(new Deleted(name, meta))
                : Decision.Reject(409, $"domain {name} is {state}; stop it before delete"),
            _ => Decision.Reject(400, $"unknown command {command.Verb} for domain {name}"),
        };
    }

    /// <summary>The scheduler's decision behind a request, as an event to record with it (none without a decision).</summary>
    private static IEnumerable<IDomainEvent> PlacedBy(IDomainCommand command, EventMeta meta) =>
        (command switch { Start s => s.Placed, Migrate m => m.Placed, _ => null }) is { } d
            ? [new Placed(command.Name, d.Kind, d.From, d.To, d.Reason, meta)]
            : [];

    /// <summary>What the restart policy says after an unexpected exit of the VMM at <paramref name="at"/>.</summary>
    public bool ShouldRestartAfterCrash(DateTimeOffset at) =>
        Spec is not null
        && Spec.Restart != RestartPolicy.Never
        && Desired != DesiredState.Stopped
        && RecentCrashes.Count(t => at - t < CrashWindow) < MaxCrashesInWindow - 1;

    /// <summary>What the restart policy says after the guest powered itself off.</summary>
    public bool ShouldRestartAfterGuestShutdown() => Spec?.Restart == RestartPolicy.Always && Desired != DesiredState.Stopped;

    public DomainState Apply(IDomainEvent e)
    {
        var s = this with { UpdatedAt = e.Meta.At };
        return e switch
        {
            Created c => Empty with { Spec = c.Spec, CreatedAt = c.Meta.At, UpdatedAt = c.Meta.At },
            StartRequested => s with { Desired = DesiredState.Running, LastError = null },
            StopRequested stop => s with { Desired = DesiredState.Stopped, StopTimeoutSeconds = stop.TimeoutSeconds },
            DomainEvents.KillRequested => s with { Desired = DesiredState.Stopped, KillRequested = true },
            RestartRequested r => s with { RestartPending = true, StopTimeoutSeconds = r.TimeoutSeconds },
            PauseRequested => s with { Desired = DesiredState.Paused },
            ResumeRequested => s with { Desired = DesiredState.Running },
            Deleted => Empty,
            MigrationRequested mr => s with { MigratingTo = mr.To },
            Placed { Starts: false } => s with { Desired = DesiredState.Stopped },
            Migrated mg => s with { MigratingTo = null, Server = mg.To, Pid = mg.Pid },
            MigrationFailed mf => s with { MigratingTo = null, LastError = $"migration to {mf.To} failed: {mf.Reason}" },
            Started st => s with { Actual = ActualState.Running, Server = st.Server, Pid = st.Pid, LastError = null },
            Adopted a => s with { Actual = a.Paused ? ActualState.Paused : ActualState.Running, Server = a.Server, Pid = a.Pid },
            StartFailed f => s with { Desired = DesiredState.Stopped, Actual = ActualState.Stopped, Server = null, Pid = null, LastError = f.Reason, RestartPending = false, KillRequested = false },
            Paused => s with { Actual = ActualState.Paused },
            Resumed => s with { Actual = ActualState.Running },
            Stopped st => s with
            {
                Actual = ActualState.Stopped, Server = null, Pid = null, KillRequested = false, RestartPending = false,
                LastExit = st.Reason, MigratingTo = null,
                // the guest powered itself off: the operator's wish follows unless the policy restarts it
                Desired = s.RestartPending || (s.Desired != DesiredState.Stopped && ShouldRestartAfterGuestShutdown()) ? s.Desired : DesiredState.Stopped,
            },
            Crashed c => s with
            {
                Actual = ActualState.Crashed, Server = null, Pid = null, KillRequested = false, RestartPending = false, MigratingTo = null,
                Desired = c.WillRestart ? DesiredState.Running : DesiredState.Stopped,
                LastError = c.Reason,
                LastExit = c.Reason,
                RecentCrashes = [.. s.RecentCrashes.Where(t => c.Meta.At - t < CrashWindow), c.Meta.At],
            },
            VmmLost l => s with
            {
                Actual = ActualState.Stopped, Server = null, Pid = null, LastError = l.Reason, LastExit = l.Reason,
                KillRequested = false, RestartPending = false, MigratingTo = null,
                Desired = l.KeepDesired ? s.Desired : DesiredState.Stopped,
            },
            _ => s,
        };
    }
}

/// <summary>The outcome of <see cref="DomainState.Decide"/>: events to persist, or a rejection that changes nothing.</summary>
public sealed record Decision(IReadOnlyList<IDomainEvent> Events, int RejectStatus, string? RejectMessage)
{
    public bool Accepted => RejectMessage is null;
    public static Decision Accept(params IDomainEvent[] events) => new(events, 0, null);
    public static Decision Reject(int status, string message) => new([], status, message);
}
