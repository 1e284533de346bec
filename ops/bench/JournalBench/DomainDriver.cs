using System.Diagnostics;
using Akka.Actor;
using Actors.Domains;
using Actors.Domains.Jobs;
using static Actors.Domains.DomainCommands;

namespace JournalBench;

/// <summary>
/// An operator of one domain: create, then start and stop for ever. Each command is sent once the previous one
/// was acknowledged (its event durable) and its job ended (the VMM did it, and that fact is durable too), as
/// `vmc domain start --wait` does.
/// </summary>
public sealed class DomainDriver : ReceiveActor
{
    private readonly IActorRef _domain;
    private readonly string _name;
    private readonly WorkloadStats _stats;
    private long _sentAt;
    private int _step;
    private bool _acked;
    private bool _finished;
    private string _jobId = "";

    public DomainDriver(IActorRef domain, string name, WorkloadStats stats)
    {
        _domain = domain;
        _name = name;
        _stats = stats;
        Receive<DomainReplies.Accepted>(_ =>
        {
            _stats.Acked(Stopwatch.GetElapsedTime(_sentAt).TotalMilliseconds);
            if (_step == 1) _stats.FirstAnswer();
            _acked = true;
            NextIfDone();
        });
        Receive<DomainReplies.Rejected>(r =>
        {
            // Not expected in this sequence; counted, and the same command is sent again.
            _stats.Rejected();
            _step--;
            Send();
        });
        Receive<JobMessages.Finish>(f =>
        {
            if (f.JobId != _jobId) return;
            _finished = true;
            NextIfDone();
        });
    }

    public static Props Props(IActorRef domain, string name, WorkloadStats stats) =>
        Akka.Actor.Props.Create(() => new DomainDriver(domain, name, stats));

    protected override void PreStart() => Send();

    private void NextIfDone()
    {
        if (_acked && _finished) Send();
    }

    private void Send()
    {
        _acked = _finished = false;
        _jobId = $"{_name}-{_step}";
        var request = new RequestContext(_jobId, "bench", Self);
        IDomainCommand command = _step++ switch
        {
            0 => new Create(new DomainSpec(_name, 1, 64, [], RestartPolicy.OnCrash, null, null, null), request),
            var n when n % 2 == 1 => new Start(_name, request),
            _ => new Stop(_name, 30, request),
        };
        _sentAt = Stopwatch.GetTimestamp();
        _domain.Tell(command, Self);
    }
}
