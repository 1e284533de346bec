using Akka.Actor;

namespace Actors.Domains;

/// <summary>Who asks and under which job: recorded on every event the request causes.</summary>
/// <param name="ReportTo">The job book that hears when the job ends; may be null (no one waits).</param>
public sealed record RequestContext(string JobId, string Principal, IActorRef? ReportTo);

public interface IDomainMessage : INamedEntityMessage;

/// <summary>Requests an operator can make of a domain. Each one is a job.</summary>
public static class DomainCommands
{
    public interface IDomainCommand : IDomainMessage
    {
        RequestContext Request { get; }
        /// <summary>The verb, as the operator typed it ("start", "stop", …).</summary>
        string Verb { get; }
    }

    public sealed record Create(DomainSpec Spec, RequestContext Request) : IDomainCommand
    {
        public string Name => Spec.Name;
        public string Verb => "create";
    }

    /// <param name="Placed">The scheduler's decision that chose this server (recorded with the request); null: none was made.</param>
    public sealed record Start(string Name, RequestContext Request, SchedulerDecision? Placed = null) : IDomainCommand { public string Verb => "start"; }

    /// <param name="TimeoutSeconds">ACPI power-down time before the VMM is killed.</param>
    public sealed record Stop(string Name, int TimeoutSeconds, RequestContext Request) : IDomainCommand { public string Verb => "stop"; }

    public sealed record Kill(string Name, RequestContext Request) : IDomainCommand { public string Verb => "kill"; }
    public sealed record Restart(string Name, int TimeoutSeconds, RequestContext Request) : IDomainCommand { public string Verb => "restart"; }
    public sealed record Pause(string Name, RequestContext Request) : IDomainCommand { public string Verb => "pause"; }
    public sealed record Resume(string Name, RequestContext Request) : IDomainCommand { public string Verb => "resume"; }
    public sealed record Delete(string Name, RequestContext Request) : IDomainCommand { public string Verb => "delete"; }

    /// <summary>Live-migrates the domain to <paramref name="To"/>, a server of its pool (the scheduler checked or chose it).</summary>
    public sealed record Migrate(string Name, string To, string ToAddress, RequestContext Request, SchedulerDecision? Placed = null) : IDomainCommand
    {
        public string Verb => "migrate";
    }

    /// <summary>Read the domain's view; changes nothing.</summary>
    public sealed record Get(string Name) : IDomainMessage;

    /// <summary>Starts the entity so that it recovers and reconciles (sent at node start); changes nothing.</summary>
    public sealed record Wake(string Name) : IDomainMessage;

    /// <summary>
    /// The scheduler gave the domain a new server after its own failed: recorded, and when <paramref name="Starts"/> is
    /// false (the pool's HA is off, or no server could take it running) the domain stays stopped there.
    /// </summary>
    public sealed record Rehome(string Name, SchedulerDecision Placed, bool Starts) : IDomainMessage;

    /// <summary>Sharding's hand-off stop message: the domain's shard is moving to another server.</summary>
    public sealed record HandOff
    {
        public static readonly HandOff Instance = new();
    }
}

/// <summary>
/// One decision of the scheduler, as the domain records it. Kind: start, migrate, failover, evacuate, balance; From:
/// where the domain was (null: nowhere yet); Reason: why To, in words ("node2: best fit, 1.2 GiB free").
/// </summary>
public sealed record SchedulerDecision(string Kind, string? From, string To, string Reason);

/// <summary>Answers to domain commands.</summary>
public static class DomainReplies
{
    public interface IDomainReply : IClusterMessage;

    public sealed record Accepted(DomainView Domain) : IDomainReply;

    /// <param name="Status">HTTP-like status: 404 unknown domain, 409 invalid transition.</param>
    public sealed record Rejected(int Status, string Message) : IDomainReply;
}
