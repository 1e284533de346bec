using Akka.Actor;
using Actors.Domains;
using Actors.Domains.Jobs;
using Actors.Servers.Scheduling;
using static Actors.Domains.DomainCommands;

namespace Cluster.Host.Api;

/// <summary>
/// A request to a domain as a job: opened (who, what, why), sent to the domain, and answered with the job once the
/// domain accepted it. The API's lifecycle routes and the balancer go through here alike.
/// </summary>
public static class DomainJobs
{
    /// <summary>Accepted: Job (and Domain); refused: Status, Error and the Field it names.</summary>
    public sealed record Submitted(JobRecord? Job, DomainView? Domain, int Status, string? Error, string? Field);

    /// <param name="note">Shown as the job's message while it runs (the balancer's reason for a move).</param>
    public static async Task<Submitted> SubmitAsync(NodeDirectory dir, string verb, string name, string principal,
        Func<RequestContext, IDomainCommand> command, string? note = null)
    {
        var jobId = JobRecord.NewId();
        dir.Jobs.Tell(new JobMessages.Open(new JobRecord(jobId, verb, name, principal, JobRecord.Running, note, DateTimeOffset.UtcNow, null)));
        DomainReplies.IDomainReply reply;
        try
        {
            reply = await dir.Domains.Ask<DomainReplies.IDomainReply>(command(new RequestContext(jobId, principal, dir.Jobs)), NodeDirectory.AskTimeout);
        }
        catch (AskTimeoutException)
        {
            dir.Jobs.Tell(new JobMessages.Finish(jobId, false, "the domain did not answer in time"));
            return new(null, null, 503, $"domain {name} did not answer within {NodeDirectory.AskTimeout.TotalSeconds:0} s; job {jobId} may still complete", null);
        }
        if (reply is DomainReplies.Rejected r)
        {
            dir.Jobs.Tell(new JobMessages.Discard(jobId));
            return new(null, null, r.Status, r.Message, r.Status == 404 ? "name" : null);
        }
        var job = (await dir.Jobs.Ask<JobMessages.Found>(new JobMessages.Get(jobId), NodeDirectory.AskTimeout)).Job;
        return new(job, ((DomainReplies.Accepted)reply).Domain, 202, null, null);
    }

    /// <summary>
    /// A live migration to <paramref name="to"/>, once the scheduler agrees the domain may go there (409 if not). The
    /// decision is recorded by the domain with the scheduler's reason, after <paramref name="why"/> when a caller
    /// other than an operator (the balancer) had one.
    /// </summary>
    public static async Task<Submitted> MigrateAsync(NodeDirectory dir, StartPlacement placement, string name, string to, string principal,
        PlacementKind kind = PlacementKind.Migrate, string? why = null)
    {
        var (address, decision, refusal) = await placement.CheckTargetAsync(name, to, kind);
        if (refusal is not null) return new(null, null, 409, refusal, "to");
        if (why is not null) decision = decision! with { Reason = $"{why}; {decision.Reason}" };
        return await SubmitAsync(dir, "migrate", name, principal, ctx => new Migrate(name, to, address!, ctx, decision), why);
    }
}
