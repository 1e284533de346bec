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

    public sealed record Start(string Name, RequestContext Request) : IDomainCommand { public string Verb => "start"; }

    /// <param name="TimeoutSeconds">ACPI power-down time before the VMM is killed.</param>
    public sealed record Stop(string Name, int TimeoutSeconds, RequestContext Request) : IDomainCommand { public string Verb => "stop"; }

    public sealed record Kill(string Name, RequestContext Request) : IDomainCommand { public string Verb => "kill"; }
    public sealed record Restart(string Name, int TimeoutSeconds, RequestContext Request) : IDomainCommand { public string Verb => "restart"; }
    public sealed record Pause(string Name, RequestContext Request) : IDomainCommand { public string Verb => "pause"; }
    public sealed record Resume(string Name, RequestContext Request) : IDomainCommand { public string Verb => "resume"; }
    public sealed record Delete(string Name, RequestContext Request) : IDomainCommand { public string Verb => "delete"; }

    /// <summary>Live-migrates the domain to <paramref name="To"/>, a server of its pool (placement checked it).</summary>
    public sealed record Migrate(string Name, string To, string ToAddress, RequestContext Request) : IDomainCommand { public string Verb => "migrate"; }

    /// <summary>Read the domain's view; changes nothing.</summary>
    public sealed record Get(string Name) : IDomainMessage;

    /// <summary>Starts the entity so that it recovers and reconciles (sent at node start); changes nothing.</summary>
    public sealed record Wake(string Name) : IDomainMessage;

    /// <summary>Sharding's hand-off stop message: the domain's shard is moving to another server.</summary>
    public sealed record HandOff
    {
        public static readonly HandOff Instance = new();
    }
}

/// <summary>Answers to domain commands.</summary>
public static class DomainReplies
{
    public interface IDomainReply : IClusterMessage;

    public sealed record Accepted(DomainView Domain) : IDomainReply;

    /// <param name="Status">HTTP-like status: 404 unknown domain, 409 invalid transition.</param>
    public sealed record Rejected(int Status, string Message) : IDomainReply;
}
