using Akka.Actor;

namespace Actors.Domains.Jobs;

/// <summary>How far a long job is: Done of Total Units (bytes of a live migration, steps of an evacuation).</summary>
/// <param name="Message">What it does now, briefly (QEMU's migration status, the step under way).</param>
public sealed record JobProgress(long Done, long Total, string Unit, string? Message = null);

/// <summary>The record of one state-changing request.</summary>
/// <param name="Progress">The last progress report of a long job; null for jobs that report none.</param>
public sealed record JobRecord(
    string Id,
    string Command,
    string Target,
    string Principal,
    string Status,
    string? Message,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    JobProgress? Progress = null)
{
    public const string Running = "running", Succeeded = "succeeded", Failed = "failed";

    public static string NewId() => "j-" + Guid.NewGuid().ToString("N")[..10];
}

public static class JobMessages
{
    public sealed record Open(JobRecord Job);
    /// <summary>The request was refused before anything changed: the job never existed.</summary>
    public sealed record Discard(string JobId);
    public sealed record Finish(string JobId, bool Succeeded, string? Message) : IClusterMessage;
    /// <summary>The job's progress now; ignored once it has finished (a late report never rewinds it).</summary>
    public sealed record Progress(string JobId, JobProgress Now) : IClusterMessage;
    public sealed record Get(string JobId);
    public sealed record List(int Limit);
    public sealed record Found(JobRecord? Job);
}

/// <summary>
/// Node-local book of recent jobs (in memory; the journal keeps each job's events by job id).
/// Tolerates a Finish that overtakes its Open.
/// </summary>
public sealed class JobBook : ReceiveActor
{
    public const int Capacity = 1000;
    private readonly Dictionary<string, JobRecord> _jobs = new();
    private readonly Queue<string> _order = new();
    private readonly Dictionary<string, JobMessages.Finish> _early = new();

    public JobBook()
    {
        Receive<JobMessages.Open>(m =>
        {
            var job = m.Job;
            if (_early.Remove(job.Id, out var early)) job = Finished(job, early);
            _jobs[job.Id] = job;
            _order.Enqueue(job.Id);
            while (_order.Count > Capacity) _jobs.Remove(_order.Dequeue());
        });
        Receive<JobMessages.Discard>(m => _jobs.Remove(m.JobId));
        Receive<JobMessages.Finish>(m =>
        {
            if (_jobs.TryGetValue(m.JobId, out var job)) { if (job.FinishedAt is null) _jobs[m.JobId] = Finished(job, m); }
            else if (_early.Count < Capacity) _early[m.JobId] = m;
        });
        Receive<JobMessages.Progress>(m =>
        {
            if (_jobs.TryGetValue(m.JobId, out var job) && job.FinishedAt is null) _jobs[m.JobId] = job with { Progress = m.Now };
        });
        Receive<JobMessages.Get>(m => Sender.Tell(new JobMessages.Found(_jobs.GetValueOrDefault(m.JobId))));
        Receive<JobMessages.List>(m => Sender.Tell(_jobs.Values.OrderByDescending(j => j.CreatedAt).Take(m.Limit).ToList()));
    }

    // A job opened with a message (why it was made: a balancer move's reason) keeps it after the outcome.
    private static JobRecord Finished(JobRecord job, JobMessages.Finish f) => job with
    {
        Status = f.Succeeded ? JobRecord.Succeeded : JobRecord.Failed,
        Message = job.Message is { } why && f.Message is { } outcome ? $"{outcome} ({why})" : f.Message ?? job.Message,
        FinishedAt = DateTimeOffset.UtcNow,
    };
}

