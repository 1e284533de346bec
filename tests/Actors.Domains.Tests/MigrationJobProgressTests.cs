using Actors.Domains.Jobs;
using Actors.Domains.Migration;
using Vmm.Native;

namespace Actors.Domains.Tests;

public sealed class MigrationJobProgressTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Each_migrate_job_hears_bytes_done_as_total_less_remaining_never_above_the_total()
    {
        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        var progress = new MigrationJobProgress([("j-1", a.Ref), ("j-2", b.Ref)]);

        progress.Report(new MigrationProgress("active", TransferredBytes: 300, TotalBytes: 1000, RemainingBytes: 800));
        Assert.Equal(new JobMessages.Progress("j-1", new JobProgress(200, 1000, "bytes", "active")), a.ExpectMsg<JobMessages.Progress>());
        Assert.Equal(new JobMessages.Progress("j-2", new JobProgress(200, 1000, "bytes", "active")), b.ExpectMsg<JobMessages.Progress>());

        // Dirty pages are sent again: bytes sent pass the total, what remains says how far it is.
        progress.Report(new MigrationProgress("active", TransferredBytes: 1500, TotalBytes: 1000, RemainingBytes: 0));
        Assert.Equal(new JobProgress(1000, 1000, "bytes", "active"), a.ExpectMsg<JobMessages.Progress>().Now);
        progress.Report(new MigrationProgress("setup", 0, 1000, 1200));
        Assert.Equal(new JobProgress(0, 1000, "bytes", "setup"), a.ExpectMsg<JobMessages.Progress>().Now);
    }
}
