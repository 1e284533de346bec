using Akka.Actor;
using Actors.Domains;
using Actors.Domains.Index;
using Actors.Domains.Jobs;
using Actors.Servers.Scheduling;

namespace Cluster.Host.Api;

/// <summary>
/// The job of <c>server maintenance on</c>: live-migrates every domain that runs on the server to where the
/// scheduler says (kind evacuate: same rules as any placement; the server itself is already excluded as in
/// maintenance), <see cref="Parallel"/> at a time, each as its own migrate job; reports "k of n moved" as it goes;
/// re-homes the stopped ones, stopped. A domain that cannot move keeps running where it is and is named in the
/// job's result with the reason.
/// </summary>
public sealed class Evacuation(ActorSystem system, NodeDirectory dir)
{
    public const int Parallel = 2;
    public static readonly TimeSpan MigrationDeadline = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Opens the evacuation job and starts it in the background; returns the job's id.</summary>
    public string Start(string server, string principal)
    {
        var jobId = JobRecord.NewId();
        dir.Jobs.Tell(new JobMessages.Open(new JobRecord(jobId, "evacuate", server, principal, JobRecord.Running, null, DateTimeOffset.UtcNow, null)));
        _ = Task.Run(async () =>
        {
            try
            {
                var (ok, message) = await RunAsync(server, principal, jobId);
                dir.Jobs.Tell(new JobMessages.Finish(jobId, ok, message));
            }
            catch (Exception ex)
            {
                dir.Jobs.Tell(new JobMessages.Finish(jobId, false, $"evacuation stopped: {ex.Message}"));
            }
        });
        return jobId;
    }

    private async Task<(bool Ok, string Message)> RunAsync(string server, string principal, string jobId)
    {
        var snapshots = new SchedulingSnapshots(system);
        var first = await snapshots.ReadAsync();
        var here = first.Domains.Where(d => d.Server == server).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        var running = here.Where(d => d.UsesResources).ToList();
        var cannot = new List<string>();
        var decided = new Dictionary<string, string>(); // domain → the server chosen in this evacuation
        var moved = 0;
        dir.Jobs.Tell(new JobMessages.Progress(jobId, new JobProgress(0, running.Count, "domains moved")));

        using var slots = new SemaphoreSlim(Parallel);
        var migrations = new List<Task>();
        foreach (var domain in running)
        {
            await slots.WaitAsync();
            var snapshot = await snapshots.ReadAsync();
            // Earlier decisions of this round count where they go, even before their migration ends.
            snapshot = snapshot with
            {
                Domains = [.. snapshot.Domains.Select(d => decided.TryGetValue(d.Name, out var to) ? d with { Server = to, State = "migrating" } : d)],
            };
            var result = Scheduler.Place(new PlacementRequest(PlacementKind.Evacuate, domain.Name, domain.Pool, domain.Vcpus, domain.MemoryMiB,
                LastServer: server), snapshot);
            if (result.Server is not { } target)
            {
                lock (cannot) cannot.Add($"{domain.Name}: {result.Reason}");
                slots.Release();
                continue;
            }
            decided[domain.Name] = target.Name;
            var decision = new SchedulerDecision("evacuate", server, target.Name, $"{result.Reason}; evacuation of {server} (maintenance)");
            migrations.Add(Task.Run(async () =>
            {
                try
                {
                    var failure = await MigrateAsync(domain, target, decision, principal);
                    if (failure is null) dir.Jobs.Tell(new JobMessages.Progress(jobId, new JobProgress(Interlocked.Increment(ref moved), running.Count, "domains moved")));
                    else lock (cannot) cannot.Add($"{domain.Name}: {failure}");
                }
                finally
                {
                    slots.Release();
                }
            }));
        }
        await Task.WhenAll(migrations);
        var stopped = await RehomeStoppedAsync(server, here.Where(d => d.State == "stopped").ToList());

        var summary = $"{moved} of {running.Count} moved{(stopped > 0 ? $", {stopped} stopped re-homed" : "")}";
        return cannot.Count == 0
            ? (true, summary)
            : (false, $"{summary}; could not move (they keep running on {server}): {string.Join("; ", cannot.Order(StringComparer.Ordinal))}");
    }

    /// <summary>One live migration as its own job; null when the domain runs on the target now, else why not.</summary>
    private async Task<string?> MigrateAsync(DomainIndexEntry domain, ServerCapacity target, SchedulerDecision decision, string principal)
    {
        var submitted = await DomainJobs.SubmitAsync(dir, "migrate", domain.Name, principal,
            ctx => new DomainCommands.Migrate(domain.Name, target.Name, target.Address, ctx, decision));
        if (submitted.Job is not { } started) return submitted.Error;
        var jobId = started.Id;
        var until = DateTime.UtcNow + MigrationDeadline;
        while (DateTime.UtcNow < until)
        {
            var job = (await dir.Jobs.Ask<JobMessages.Found>(new JobMessages.Get(jobId), NodeDirectory.AskTimeout)).Job;
            if (job?.Status == JobRecord.Succeeded) return null;
            if (job?.Status == JobRecord.Failed) return $"migration to {target.Name} failed: {job.Message}";
            await Task.Delay(PollInterval);
        }
        return $"migration to {target.Name} did not end within {MigrationDeadline.TotalMinutes:0} min (job {jobId})";
    }

    /// <summary>Stopped domains of the server get a server of their pool where they stay stopped; returns how many.</summary>
    private async Task<int> RehomeStoppedAsync(string server, IReadOnlyList<DomainIndexEntry> stopped)
    {
        var count = 0;
        foreach (var domain in stopped)
        {
            var result = Scheduler.Place(new PlacementRequest(PlacementKind.Evacuate, domain.Name, domain.Pool, domain.Vcpus, domain.MemoryMiB,
                LastServer: server, Runs: false), await new SchedulingSnapshots(system).ReadAsync());
            if (result.Server is not { } target) continue; // it stays, stopped: it holds nothing there
            DomainWiring.MoveShard(system, domain.Name, target.Address);
            var decision = new SchedulerDecision("evacuate", server, target.Name, $"{result.Reason}; evacuation of {server} (maintenance)");
            DomainWiring.TellThrough(system, new DomainCommands.Rehome(domain.Name, decision, Starts: false), target.Address);
            count++;
        }
        return count;
    }
}
