using Akka.Actor;
using Actors.Domains.Jobs;
using Vmm.Native;

namespace Actors.Domains.Migration;

/// <summary>
/// Passes a live migration's progress (QEMU's query-migrate, RAM and disk added up) to the job books of the
/// migrate jobs. Done is Total less what remains: pages the guest dirtied again are sent again, so the bytes sent
/// can pass the total while the migration is not done.
/// </summary>
public sealed class MigrationJobProgress(IReadOnlyList<(string JobId, IActorRef Book)> jobs) : IProgress<MigrationProgress>
{
    public const string Unit = "bytes";

    public void Report(MigrationProgress value)
    {
        var done = Math.Clamp(value.TotalBytes - value.RemainingBytes, 0, value.TotalBytes);
        var now = new JobProgress(done, value.TotalBytes, Unit, value.Status);
        foreach (var (jobId, book) in jobs) book.Tell(new JobMessages.Progress(jobId, now));
    }
}
