using Akka.Actor;
using Actors.Domains.Jobs;

namespace Actors.Domains.Tests;

public sealed class JobBookTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static JobRecord Job(string id, int minute = 0) =>
        new(id, "start", "web1", "alice", JobRecord.Running, null, T0.AddMinutes(minute), null);

    private JobRecord? Get(IActorRef book, string id)
    {
        book.Tell(new JobMessages.Get(id));
        return ExpectMsg<JobMessages.Found>().Job;
    }

    private List<JobRecord> List(IActorRef book, int limit)
    {
        book.Tell(new JobMessages.List(limit));
        return ExpectMsg<List<JobRecord>>();
    }

    [Fact]
    public void NewId_is_short_and_unique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => JobRecord.NewId()).ToList();
        Assert.All(ids, id => Assert.Matches("^j-[0-9a-f]{10}$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Progress_is_kept_while_the_job_runs_and_a_late_report_after_its_end_changes_nothing()
    {
        var book = Sys.ActorOf(Props.Create<JobBook>());
        book.Tell(new JobMessages.Open(Job("j-1")));
        Assert.Null(Get(book, "j-1")!.Progress);

        book.Tell(new JobMessages.Progress("j-1", new JobProgress(10, 100, "bytes", "active")));
        Assert.Equal(new JobProgress(10, 100, "bytes", "active"), Get(book, "j-1")!.Progress);
        book.Tell(new JobMessages.Progress("j-1", new JobProgress(100, 100, "bytes", "completed")));
        book.Tell(new JobMessages.Finish("j-1", true, "migrated"));
        book.Tell(new JobMessages.Progress("j-1", new JobProgress(40, 100, "bytes", "active")));

        var job = Get(book, "j-1")!;
        Assert.Equal((JobRecord.Succeeded, new JobProgress(100, 100, "bytes", "completed")), (job.Status, job.Progress));
        book.Tell(new JobMessages.Progress("j-unknown", new JobProgress(1, 2, "steps")));
        Assert.Null(Get(book, "j-unknown"));
    }

    [Fact]
    public void Open_then_finish_succeeded()
    {
        var book = Sys.ActorOf(Props.Create<JobBook>());
        book.Tell(new JobMessages.Open(Job("j-1")));
        Assert.Equal(Job("j-1"), Get(book, "j-1"));

        var before = DateTimeOffset.UtcNow;
        book.Tell(new JobMessages.Finish("j-1", true, null));
        var job = Get(book, "j-1")!;
        Assert.Equal(JobRecord.Succeeded, job.Status);
        Assert.Null(job.Message);
        Assert.NotNull(job.FinishedAt);
        Assert.InRange(job.FinishedAt.Value, before, DateTimeOffset.UtcNow);
        Assert.Equal(T0, job.CreatedAt);
    }

    [Fact]
    public void Finish_failed_keeps_the_message_and_a_second_finish_changes_nothing()
    {
        var book = Sys.ActorOf(Props.Create<JobBook>());
        book.Tell(new JobMessages.Open(Job("j-1")));
        book.Tell(new JobMessages.Finish("j-1", false, "qemu: could not open disk"));
        var first = Get(book, "j-1")!;
        Assert.Equal(JobRecord.Failed, first.Status);
        Assert.Equal("qemu: could not open disk", first.Message);

        book.Tell(new JobMessages.Finish("j-1", true, null));
        Assert.Equal(first, Get(book, "j-1"));
    }

    [Fact]
    public void A_job_opened_with_its_reason_keeps_it_after_the_outcome()
    {
        var book = Sys.ActorOf(Props.Create<JobBook>());
        book.Tell(new JobMessages.Open(Job("j-1") with { Principal = "balancer", Message = "balance: node1 CPU 93% > 80% for 60 s" }));
        book.Tell(new JobMessages.Finish("j-1", true, "migrated to node2 in 812 ms"));

        Assert.Equal("migrated to node2 in 812 ms (balance: node1 CPU 93% > 80% for 60 s)", Get(book, "j-1")!.Message);
    }

    [Fact]
    public void A_finish_that_overtakes_its_open_is_applied_when_the_open_arrives()
    {
        var book = Sys.ActorOf(Props.Create<JobBook>());
        book.Tell(new JobMessages.Finish("j-1", false, "refused later"));
        Assert.Null(Get(book, "j-1"));

        book.Tell(new JobMessages.Open(Job("j-1")));
        var job = Get(book, "j-1")!;
        Assert.Equal(JobRecord.Failed, job.Status);
        Assert.Equal("refused later", job.Message);
        Assert.NotNull(job.FinishedAt);
    }

    [Fact]
    public void Discard_forgets_the_job()
    {
        var book = Sys.ActorOf(Props.Create<JobBook>());
        book.Tell(new JobMessages.Open(Job("j-1")));
        book.Tell(new JobMessages.Open(Job("j-2", 1)));
        book.Tell(new JobMessages.Discard("j-1"));
        Assert.Null(Get(book, "j-1"));
        Assert.Equal(["j-2"], List(book, 10).Select(j => j.Id));
        book.Tell(new JobMessages.Discard("nope")); // unknown: ignored
        Assert.Single(List(book, 10));
    }

    [Fact]
    public void Unknown_jobs_are_not_found()
    {
        var book = Sys.ActorOf(Props.Create<JobBook>());
        Assert.Null(Get(book, "j-none"));
        Assert.Empty(List(book, 10));
    }

    [Fact]
    public void List_is_newest_first_and_limited()
    {
        var book = Sys.ActorOf(Props.Create<JobBook>());
        book.Tell(new JobMessages.Open(Job("j-b", 2)));
        book.Tell(new JobMessages.Open(Job("j-a", 1)));
        book.Tell(new JobMessages.Open(Job("j-d", 4)));
        book.Tell(new JobMessages.Open(Job("j-c", 3)));
        Assert.Equal(["j-d", "j-c", "j-b", "j-a"], List(book, 10).Select(j => j.Id));
        Assert.Equal(["j-d", "j-c"], List(book, 2).Select(j => j.Id));
        Assert.Empty(List(book, 0));
    }

    [Fact]
    public void The_book_keeps_the_most_recent_jobs_up_to_its_capacity()
    {
        var book = Sys.ActorOf(Props.Create<JobBook>());
        for (var i = 0; i <= JobBook.Capacity; i++)
            book.Tell(new JobMessages.Open(Job($"j-{i}", i)));
        Assert.Null(Get(book, "j-0"));
        Assert.NotNull(Get(book, "j-1"));
        Assert.NotNull(Get(book, $"j-{JobBook.Capacity}"));
        Assert.Equal(JobBook.Capacity, List(book, int.MaxValue).Count);
    }
}
