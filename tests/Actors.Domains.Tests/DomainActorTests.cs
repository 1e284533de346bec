using Actors.Domains.Leases;
using Akka.Actor;
using Akka.TestKit;
using Actors.Domains.Catalog;
using Actors.Domains.Jobs;
using Vmm.Native;
using Vmm.Native.Simulated;
using static Actors.Domains.DomainCommands;
using static Actors.Domains.DomainEvents;

namespace Actors.Domains.Tests;

/// <summary>
/// The domain actor against the simulated VMM driver, persisting to a real SQLite journal (Akka.Persistence.Sql).
/// No sharding: the actor is created directly.
/// </summary>
public sealed class DomainActorTests : SqliteTestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly DomainLayout _layout;
    private readonly TestProbe _catalog;
    private readonly TestProbe _jobs;
    private readonly Dictionary<string, JobMessages.Finish> _finished = new();
    private int _jobCounter;

    public DomainActorTests()
    {
        _layout = new DomainLayout(TempDir);
        _catalog = CreateTestProbe();
        // The catalog answers a created domain's Record (its acknowledgement waits for that).
        _catalog.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is CatalogMessages.Record r) sender.Tell(new CatalogMessages.Recorded(r.Name));
            return AutoPilot.KeepRunning;
        }));
        _jobs = CreateTestProbe();
    }

    // ---------------------------------------------------------------- helpers

    private static DomainSpec Spec(string name, RestartPolicy restart = RestartPolicy.OnCrash) =>
        new(name, 1, 64, [1L << 20], restart, null, null, null);

    private IActorRef Spawn(string name, IVmmDriver driver) =>
        Sys.ActorOf(DomainActor.Props(name, new DomainRuntime(driver, "node1", _layout, _catalog.Ref)));

    private RequestContext Job(out string jobId)
    {
        jobId = $"j-{++_jobCounter}";
        return new RequestContext(jobId, "alice", _jobs.Ref);
    }

    private DomainView Accept(IActorRef domain, IDomainCommand command)
    {
        domain.Tell(command, TestActor);
        var reply = ExpectMsg<DomainReplies.IDomainReply>(Wait);
        return Assert.IsType<DomainReplies.Accepted>(reply).Domain;
    }

    private DomainReplies.Rejected Reject(IActorRef domain, IDomainMessage command)
    {
        domain.Tell(command, TestActor);
        return Assert.IsType<DomainReplies.Rejected>(ExpectMsg<DomainReplies.IDomainReply>(Wait));
    }

    /// <summary>Waits for the job book to hear that the job ended; Finish messages of other jobs are kept for later.</summary>
    private JobMessages.Finish ExpectJob(string jobId, bool succeeded, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Wait);
        JobMessages.Finish? finish;
        while (!_finished.Remove(jobId, out finish))
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"job {jobId} did not finish; finished so far: {string.Join(", ", _finished.Keys)}");
            var f = _jobs.ExpectMsg<JobMessages.Finish>(left);
            Assert.False(_finished.ContainsKey(f.JobId), $"job {f.JobId} finished twice");
            _finished[f.JobId] = f;
        }
        Assert.True(succeeded == finish.Succeeded, $"job {jobId}: expected succeeded={succeeded}, got {finish}");
        return finish;
    }

    /// <summary>Collects job ends for a while; true if the job ended in that time.</summary>
    private bool JobEndsWithin(string jobId, TimeSpan window)
    {
        foreach (var f in _jobs.ReceiveWhile<JobMessages.Finish>(window, m => (m as JobMessages.Finish)!))
            _finished[f.JobId] = f;
        return _finished.ContainsKey(jobId);
    }

    private DomainView Get(IActorRef domain, string name)
    {
        domain.Tell(new Get(name), TestActor);
        return Assert.IsType<DomainReplies.Accepted>(ExpectMsg<DomainReplies.IDomainReply>(Wait)).Domain;
    }

    private DomainView AwaitState(IActorRef domain, string name, string state, Func<DomainView, bool>? also = null)
    {
        DomainView? view = null;
        AwaitCondition(() =>
        {
            view = domain.Ask<DomainReplies.IDomainReply>(new Get(name), Wait).Result is DomainReplies.Accepted a ? a.Domain : null;
            return view is not null && view.State == state && (also?.Invoke(view) ?? true);
        }, Wait, TimeSpan.FromMilliseconds(20), $"domain {name} never became {state}");
        return view!;
    }

    private DomainView Create(IActorRef domain, string name, RestartPolicy restart = RestartPolicy.OnCrash)
    {
        var view = Accept(domain, new Create(Spec(name, restart), Job(out var jobId)));
        ExpectJob(jobId, true);
        _catalog.ExpectMsg(new CatalogMessages.Record(name), Wait);
        return view;
    }

    /// <summary>Creates and starts a domain; returns the running view.</summary>
    private DomainView CreateAndStart(IActorRef domain, string name, RestartPolicy restart = RestartPolicy.OnCrash)
    {
        Create(domain, name, restart);
        Accept(domain, new Start(name, Job(out var jobId)));
        ExpectJob(jobId, true);
        return AwaitState(domain, name, "running");
    }

    /// <summary>A second handle on the domain's simulated VMM, to crash it or change the guest from outside.</summary>
    private async Task<SimulatedProcess> Vmm(SimulatedDriver driver, string name)
    {
        var process = await driver.TryAdoptAsync(new VmmLaunchSpec(name, 1, 64, [], null, null, null, _layout.RunDir(name)), default);
        return Assert.IsType<SimulatedProcess>(process);
    }

    private static void AssertSameView(DomainView expected, DomainView actual)
    {
        Assert.Equal(expected.Disks, actual.Disks);
        Assert.Equal(expected with { Disks = [] }, actual with { Disks = [] });
    }

    private void StopActor(IActorRef domain)
    {
        Watch(domain);
        Sys.Stop(domain);
        ExpectTerminated(domain, Wait);
    }

    private IReadOnlyList<IDomainEvent> Events(string name) => [.. JournalEvents("domain-" + name).Cast<IDomainEvent>()];

    private IReadOnlyList<IDomainEvent> AwaitEvents(string name, Func<IReadOnlyList<IDomainEvent>, bool> condition)
    {
        IReadOnlyList<IDomainEvent> events = [];
        AwaitCondition(() => condition(events = Events(name)), Wait, TimeSpan.FromMilliseconds(20),
            "journal never matched; it holds: " + string.Join(", ", Events(name).Select(e => e.GetType().Name)));
        return events;
    }

    // ---------------------------------------------------------------- tests

    [Fact]
    public void A_create_is_acknowledged_only_once_the_catalog_recorded_the_name()
    {
        var catalog = CreateTestProbe(); // answers only when told to
        var domain = Sys.ActorOf(DomainActor.Props("web1", new DomainRuntime(new SimulatedDriver(), "node1", _layout, catalog.Ref)));
        domain.Tell(new Create(Spec("web1"), Job(out _)), TestActor);

        catalog.ExpectMsg(new CatalogMessages.Record("web1"), Wait);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // created in the journal, not yet acknowledged
        catalog.Reply(new CatalogMessages.Recorded("web1"));
        Assert.Equal("web1", Assert.IsType<DomainReplies.Accepted>(ExpectMsg<DomainReplies.IDomainReply>(Wait)).Domain.Name);
    }

    [Fact]
    public void Create_then_start_replies_and_finishes_the_jobs()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);

        var created = Accept(domain, new Create(Spec("web1"), Job(out var createJob)));
        Assert.Equal("web1", created.Name);
        Assert.Equal("stopped", created.State);
        Assert.Equal(_layout.DiskPath("web1", 0), Assert.Single(created.Disks).Path);
        var finish = ExpectJob(createJob, true);
        Assert.Null(finish.Message);
        _catalog.ExpectMsg(new CatalogMessages.Record("web1"), Wait);

        var starting = Accept(domain, new Start("web1", Job(out var startJob)));
        Assert.Equal("running", starting.DesiredState);
        ExpectJob(startJob, true);

        var view = AwaitState(domain, "web1", "running");
        Assert.Equal("node1", view.Server);
        Assert.True(view.Pid >= SimulatedDriver.FirstPid);
        Assert.Equal(1, driver.LiveCount);
        Assert.True(File.Exists(_layout.DiskPath("web1", 0)), "the disk image was created before the start");
        Assert.True(Directory.Exists(_layout.RunDir("web1")));
    }

    [Fact]
    public void Get_on_a_missing_domain_is_404()
    {
        var domain = Spawn("ghost", new SimulatedDriver());
        var rejected = Reject(domain, new Get("ghost"));
        Assert.Equal(404, rejected.Status);
        Assert.Contains("ghost", rejected.Message);
    }

    [Fact]
    public void A_stopped_domain_with_nothing_to_do_asks_its_shard_to_stop_it_and_a_running_one_does_not()
    {
        var shard = CreateTestProbe();
        var published = CreateTestProbe();
        Sys.EventStream.Subscribe(published.Ref, typeof(DomainPassivating));
        var runtime = new DomainRuntime(new SimulatedDriver(), "node1", _layout, _catalog.Ref, PassivateAfter: TimeSpan.FromMilliseconds(300));
        var domain = shard.ChildActorOf(DomainActor.Props("web1", runtime));
        CreateAndStart(domain, "web1");
        // Between its create and its start it was stopped and idle: on a busy machine it may have asked then.
        while (shard.HasMessages) shard.ExpectMsg<Akka.Cluster.Sharding.Passivate>();
        while (published.HasMessages) published.ExpectMsg<DomainPassivating>();
        shard.ExpectNoMsg(TimeSpan.FromSeconds(1.5));

        Accept(domain, new Stop("web1", 30, Job(out var stopJob)));
        ExpectJob(stopJob, true);
        AwaitState(domain, "web1", "stopped");
        var passivate = shard.ExpectMsg<Akka.Cluster.Sharding.Passivate>(Wait);
        published.ExpectMsg<DomainPassivating>(Wait); // for the node's MemoryTrim
        published.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        // The shard sends the stop message back; the domain, holding nothing, stops.
        shard.Watch(domain);
        domain.Tell(passivate.StopMessage, shard.Ref);
        shard.ExpectTerminated(domain, Wait);
    }

    [Fact]
    public async Task Pause_and_resume()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        var pid = CreateAndStart(domain, "web1").Pid;
        var vmm = await Vmm(driver, "web1");

        Accept(domain, new Pause("web1", Job(out var pauseJob)));
        ExpectJob(pauseJob, true);
        AwaitState(domain, "web1", "paused");
        Assert.Equal(VmmRunState.Paused, vmm.State);

        Accept(domain, new Resume("web1", Job(out var resumeJob)));
        ExpectJob(resumeJob, true);
        Assert.Equal(pid, AwaitState(domain, "web1", "running").Pid);
        Assert.Equal(VmmRunState.Running, vmm.State);
        var events = Events("web1");
        Assert.Contains(events, e => e is DomainEvents.Paused);
        Assert.IsType<Resumed>(events[^1]);
    }

    [Fact]
    public async Task Stop_a_guest_that_honours_the_power_button()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        CreateAndStart(domain, "web1");
        var vmm = await Vmm(driver, "web1");

        Accept(domain, new Stop("web1", 30, Job(out var stopJob)));
        ExpectJob(stopJob, true);
        AwaitState(domain, "web1", "stopped");
        Assert.Equal(0, driver.LiveCount);
        Assert.Equal(1, vmm.PowerDownRequests);
        var stopped = Assert.IsType<DomainEvents.Stopped>(Events("web1")[^1]);
        Assert.Equal("guest-shutdown", stopped.Reason);
    }

    [Fact]
    public async Task Stop_a_guest_that_ignores_the_power_button_kills_it_after_the_timeout()
    {
        var driver = new SimulatedDriver(new SimulatedDriverOptions { GuestHonoursPowerDown = false });
        var domain = Spawn("web1", driver);
        CreateAndStart(domain, "web1");
        var vmm = await Vmm(driver, "web1");

        var started = DateTime.UtcNow;
        Accept(domain, new Stop("web1", 1, Job(out var stopJob)));
        Assert.Equal("stopping", Get(domain, "web1").State);
        ExpectJob(stopJob, true);
        var took = DateTime.UtcNow - started;
        Assert.True(took >= TimeSpan.FromSeconds(0.9), $"killed after {took}, before the 1 s timeout");

        AwaitState(domain, "web1", "stopped");
        Assert.Equal(0, driver.LiveCount);
        Assert.Equal(1, vmm.PowerDownRequests);
        var stopped = Assert.IsType<DomainEvents.Stopped>(Events("web1")[^1]);
        Assert.Equal("killed after the guest ignored power-down for 1 s", stopped.Reason);
    }

    [Fact]
    public void Kill()
    {
        var driver = new SimulatedDriver(new SimulatedDriverOptions { GuestHonoursPowerDown = false });
        var domain = Spawn("web1", driver);
        CreateAndStart(domain, "web1");

        Accept(domain, new DomainCommands.Kill("web1", Job(out var killJob)));
        ExpectJob(killJob, true);
        AwaitState(domain, "web1", "stopped");
        Assert.Equal(0, driver.LiveCount);
        var events = Events("web1");
        Assert.IsType<DomainEvents.KillRequested>(events[^2]);
        Assert.Equal("killed", Assert.IsType<DomainEvents.Stopped>(events[^1]).Reason);
    }

    [Fact]
    public void Kill_overtakes_a_stop_whose_guest_ignores_the_button()
    {
        var driver = new SimulatedDriver(new SimulatedDriverOptions { GuestHonoursPowerDown = false });
        var domain = Spawn("web1", driver);
        CreateAndStart(domain, "web1");

        Accept(domain, new Stop("web1", 60, Job(out var stopJob)));
        Accept(domain, new DomainCommands.Kill("web1", Job(out var killJob)));
        ExpectJob(killJob, true);
        ExpectJob(stopJob, true);
        AwaitState(domain, "web1", "stopped");
        Assert.Equal("killed", Assert.IsType<DomainEvents.Stopped>(Events("web1")[^1]).Reason);
    }

    [Fact]
    public void Restart_runs_a_new_vmm()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        var pid = CreateAndStart(domain, "web1").Pid;

        Accept(domain, new DomainCommands.Restart("web1", 5, Job(out var restartJob)));
        ExpectJob(restartJob, true);
        var view = AwaitState(domain, "web1", "running");
        Assert.NotEqual(pid, view.Pid);
        Assert.Equal(1, driver.LiveCount);
        var events = Events("web1");
        Assert.IsType<RestartRequested>(events[^3]);
        Assert.Equal("restart", Assert.IsType<DomainEvents.Stopped>(events[^2]).Reason);
        Assert.Equal(view.Pid, Assert.IsType<Started>(events[^1]).Pid);
    }

    [Fact]
    public async Task A_crash_under_on_crash_restarts_with_a_new_pid()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        var pid = CreateAndStart(domain, "web1").Pid!.Value;

        (await Vmm(driver, "web1")).Crash();

        var view = AwaitState(domain, "web1", "running", v => v.Pid != pid);
        Assert.NotEqual(pid, view.Pid);
        Assert.Equal(1, driver.LiveCount);
        var events = AwaitEvents("web1", es => es[^1] is Started);
        var crashed = Assert.IsType<Crashed>(events[^2]);
        Assert.True(crashed.WillRestart);
        Assert.Equal("killed by signal 9", crashed.Reason);
        Assert.Equal("system", crashed.Meta.Principal);
        Assert.Null(crashed.Meta.JobId);
        Assert.Equal("node1", crashed.Meta.Node);
    }

    [Fact]
    public async Task A_crash_under_never_is_not_restarted()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        CreateAndStart(domain, "web1", RestartPolicy.Never);

        (await Vmm(driver, "web1")).Crash();

        var view = AwaitState(domain, "web1", "crashed");
        Assert.Null(view.Pid);
        Assert.Equal("stopped", view.DesiredState);
        Assert.Equal("killed by signal 9", view.LastError);
        Assert.Equal(0, driver.LiveCount);
        var crashed = Assert.IsType<Crashed>(Events("web1")[^1]);
        Assert.False(crashed.WillRestart);
    }

    [Fact]
    public async Task A_crash_loop_stops_at_the_limit()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        CreateAndStart(domain, "web1", RestartPolicy.Always);

        for (var i = 1; i <= DomainState.MaxCrashesInWindow; i++)
        {
            var pid = Get(domain, "web1").Pid;
            (await Vmm(driver, "web1")).Crash();
            if (i < DomainState.MaxCrashesInWindow) AwaitState(domain, "web1", "running", v => v.Pid != pid);
        }
        AwaitState(domain, "web1", "crashed");
        var crashes = Events("web1").OfType<Crashed>().ToList();
        Assert.Equal(DomainState.MaxCrashesInWindow, crashes.Count);
        Assert.Equal([true, true, true, true, false], crashes.Select(c => c.WillRestart));
        Assert.Equal(0, driver.LiveCount);
    }

    [Theory]
    [InlineData(RestartPolicy.OnCrash, "stopped")]
    [InlineData(RestartPolicy.Always, "running")]
    public async Task A_guest_that_powers_itself_off_stays_off_unless_policy_always(RestartPolicy policy, string state)
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        var pid = CreateAndStart(domain, "web1", policy).Pid;

        (await Vmm(driver, "web1")).ExitWithCode(0);

        var events = AwaitEvents("web1", es => es.OfType<DomainEvents.Stopped>().Any() && (state == "stopped" || es[^1] is Started));
        Assert.DoesNotContain(events, e => e is Crashed);
        var stopped = events.OfType<DomainEvents.Stopped>().Single();
        Assert.Equal("exit code 0", stopped.Reason);
        Assert.Equal("system", stopped.Meta.Principal);
        var view = AwaitState(domain, "web1", state);
        if (state == "running") Assert.NotEqual(pid, view.Pid);
        Assert.Equal(state == "running" ? 1 : 0, driver.LiveCount);
    }

    [Fact]
    public void A_failed_start_fails_the_job_and_leaves_the_domain_stopped()
    {
        var driver = new SimulatedDriver(new SimulatedDriverOptions { StartFailure = _ => "qemu: could not open disk" });
        var domain = Spawn("web1", driver);
        Create(domain, "web1");

        Accept(domain, new Start("web1", Job(out var startJob)));
        var finish = ExpectJob(startJob, false);
        Assert.Equal("qemu: could not open disk", finish.Message);
        var view = AwaitState(domain, "web1", "stopped");
        Assert.Equal("qemu: could not open disk", view.LastError);
        Assert.IsType<StartFailed>(Events("web1")[^1]);
    }

    [Fact]
    public void Invalid_transitions_reply_409_and_append_nothing()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        CreateAndStart(domain, "web1");
        var rows = JournalRows("domain-web1");
        Assert.Equal(3, rows); // Created, StartRequested, Started

        foreach (var command in new IDomainCommand[]
                 {
                     new Create(Spec("web1"), Job(out _)),
                     new Start("web1", Job(out _)),
                     new Resume("web1", Job(out _)),
                     new Delete("web1", Job(out _)),
                 })
        {
            var rejected = Reject(domain, command);
            Assert.Equal(409, rejected.Status);
            Assert.Contains("domain web1", rejected.Message);
        }
        Assert.Equal(rows, JournalRows("domain-web1"));
        Assert.Equal("running", Get(domain, "web1").State);
        _jobs.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Commands_on_a_missing_domain_reply_404_and_append_nothing()
    {
        var domain = Spawn("ghost", new SimulatedDriver());
        foreach (var command in new IDomainCommand[]
                 {
                     new Start("ghost", Job(out _)), new Stop("ghost", 5, Job(out _)), new DomainCommands.Kill("ghost", Job(out _)),
                     new Delete("ghost", Job(out _)), new Pause("ghost", Job(out _)),
                 })
        {
            var rejected = Reject(domain, command);
            Assert.Equal(404, rejected.Status);
            Assert.Equal("domain ghost does not exist", rejected.Message);
        }
        Assert.Equal(0, JournalRows("domain-ghost"));
        _catalog.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Recovery_adopts_the_running_vmm()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        var before = CreateAndStart(domain, "web1");

        StopActor(domain);
        Assert.Equal(1, driver.LiveCount); // the VMM outlives its actor

        var again = Spawn("web1", driver);
        _catalog.ExpectMsg(new CatalogMessages.Add("web1"), Wait);
        var events = AwaitEvents("web1", es => es[^1] is Adopted);
        var adopted = (Adopted)events[^1];
        Assert.Equal(before.Pid, adopted.Pid);
        Assert.False(adopted.Paused);
        Assert.Equal("node1", adopted.Server);

        var after = AwaitState(again, "web1", "running");
        Assert.Equal(before.Pid, after.Pid);
        AssertSameView(before with { UpdatedAt = null }, after with { UpdatedAt = null });
        Assert.Equal(1, driver.LiveCount);
        Assert.DoesNotContain(events, e => e is VmmLost);
    }

    /// <summary>Leases from a store that does not answer the first <paramref name="failures"/> requests (a database restart).</summary>
    private sealed class RestartingLeaseStore(int failures) : IDomainLeases
    {
        private int _calls;
        public Task<LeaseGrant> TryAcquireAsync(string domain, CancellationToken ct) =>
            Interlocked.Increment(ref _calls) <= failures
                ? Task.FromException<LeaseGrant>(new TimeoutException("the lease store did not answer"))
                : Task.FromResult(new LeaseGrant(true, null, null));
        public Task ReleaseAsync(string domain, CancellationToken ct) => Task.CompletedTask;
    }

    [Fact]
    public async Task A_start_takes_over_a_live_vmm_an_earlier_incarnation_started_but_could_not_record()
    {
        // The domain's VMM runs, but its Started fact was never persisted (the database restarted meanwhile), and
        // the recovery's adoption could not reach the lease store either. One control connection per VMM, as QMP: the
        // recovery must let go of the handle it did not keep, or the start cannot take the VMM over.
        var simulated = new SimulatedDriver();
        var driver = new OneClientDriver(simulated);
        var domain = Spawn("web1", driver);
        Create(domain, "web1");
        StopActor(domain);
        var orphan = await driver.StartAsync(new VmmLaunchSpec("web1", 1, 64, [], null, null, null, _layout.RunDir("web1")), default);
        await orphan.DisposeAsync(); // the earlier incarnation's handle, let go when it stopped

        var again = Sys.ActorOf(DomainActor.Props("web1",
            new DomainRuntime(driver, "node1", _layout, _catalog.Ref, Leases: new RestartingLeaseStore(failures: 2))));
        _catalog.ExpectMsg(new CatalogMessages.Add("web1"), Wait);
        Accept(again, new Start("web1", Job(out var jobId)));
        ExpectJob(jobId, true);

        var started = Assert.IsType<Started>(AwaitEvents("web1", es => es[^1] is Started)[^1]);
        Assert.Equal(orphan.Pid, started.Pid);
        Assert.Equal(1, simulated.LiveCount);
        Assert.DoesNotContain(Events("web1"), e => e is StartFailed);
    }

    [Fact]
    public void Recovery_adopts_a_paused_vmm_as_paused()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        var pid = CreateAndStart(domain, "web1").Pid;
        Accept(domain, new Pause("web1", Job(out var pauseJob)));
        ExpectJob(pauseJob, true);
        StopActor(domain);

        var again = Spawn("web1", driver);
        var adopted = Assert.IsType<Adopted>(AwaitEvents("web1", es => es[^1] is Adopted)[^1]);
        Assert.True(adopted.Paused);
        Assert.Equal(pid, AwaitState(again, "web1", "paused").Pid);
    }

    [Fact]
    public void Recovery_of_a_stopped_domain_starts_nothing()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        var before = Create(domain, "web1");
        StopActor(domain);
        var rows = JournalRows("domain-web1");

        var again = Spawn("web1", driver);
        _catalog.ExpectMsg(new CatalogMessages.Add("web1"), Wait);
        AssertSameView(before, Get(again, "web1"));
        Assert.Equal(0, driver.LiveCount);
        Assert.Equal(rows, JournalRows("domain-web1"));
    }

    [Fact]
    public void Recovery_with_a_new_driver_reports_the_vmm_lost_and_starts_it_again()
    {
        var domain = Spawn("web1", new SimulatedDriver());
        CreateAndStart(domain, "web1");
        StopActor(domain);

        var fresh = new SimulatedDriver();
        var again = Spawn("web1", fresh);
        var events = AwaitEvents("web1", es => es[^1] is Started && es.Any(e => e is VmmLost));
        var lost = Assert.IsType<VmmLost>(events[^2]);
        Assert.Equal("VMM not found after the node restarted", lost.Reason);
        AwaitState(again, "web1", "running");
        Assert.Equal(1, fresh.LiveCount);
    }

    [Fact]
    public async Task Recovery_after_the_vmm_died_while_the_actor_was_away_starts_a_new_one()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        var pid = CreateAndStart(domain, "web1").Pid;
        StopActor(domain);
        (await Vmm(driver, "web1")).Crash();
        Assert.Equal(0, driver.LiveCount);

        var again = Spawn("web1", driver);
        var events = AwaitEvents("web1", es => es[^1] is Started && es.Any(e => e is VmmLost));
        Assert.IsType<VmmLost>(events[^2]);
        var view = AwaitState(again, "web1", "running");
        Assert.NotEqual(pid, view.Pid);
        Assert.Equal(1, driver.LiveCount);
    }

    [Fact]
    public void Delete_removes_the_files_and_tells_the_catalog_and_the_name_can_be_reused()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        CreateAndStart(domain, "web1");
        Accept(domain, new Stop("web1", 5, Job(out var stopJob)));
        ExpectJob(stopJob, true);
        AwaitState(domain, "web1", "stopped");
        Assert.True(Directory.Exists(_layout.DomainDir("web1")));

        var deleted = Accept(domain, new Delete("web1", Job(out var deleteJob)));
        Assert.Equal("deleted", deleted.State);
        Assert.Equal("web1", deleted.Name);
        ExpectJob(deleteJob, true);
        _catalog.ExpectMsg(new CatalogMessages.Remove("web1"), Wait);
        Assert.False(Directory.Exists(_layout.DomainDir("web1")));
        Assert.Equal(404, Reject(domain, new Get("web1")).Status);
        Assert.IsType<Deleted>(Events("web1")[^1]);

        // a deleted domain stays deleted across recovery, and the name can be created again
        StopActor(domain);
        var again = Spawn("web1", driver);
        Assert.Equal(404, Reject(again, new Get("web1")).Status);
        _catalog.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Create(again, "web1", RestartPolicy.Never);
        Assert.Equal("never", Get(again, "web1").Restart);
    }

    [Fact]
    public void Events_carry_principal_job_id_time_and_node()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        var t0 = DateTimeOffset.UtcNow.AddSeconds(-1);
        Accept(domain, new Create(Spec("web1"), new RequestContext("j-create", "bob", _jobs.Ref)));
        Accept(domain, new Start("web1", new RequestContext("j-start", "alice", _jobs.Ref)));
        ExpectJob("j-start", true);

        var events = AwaitEvents("web1", es => es.Count == 3);
        Assert.Collection(events,
            e => { Assert.IsType<DomainEvents.Created>(e); Assert.Equal(("bob", "j-create"), (e.Meta.Principal, e.Meta.JobId)); },
            e => { Assert.IsType<StartRequested>(e); Assert.Equal(("alice", "j-start"), (e.Meta.Principal, e.Meta.JobId)); },
            // a fact observed of the VMM is credited to the request that caused it
            e => { Assert.IsType<Started>(e); Assert.Equal(("alice", "j-start"), (e.Meta.Principal, e.Meta.JobId)); });
        Assert.All(events, e =>
        {
            Assert.Equal("web1", e.Name);
            Assert.Equal("node1", e.Meta.Node);
            Assert.Equal(TimeSpan.Zero, e.Meta.At.Offset);
            Assert.InRange(e.Meta.At, t0, DateTimeOffset.UtcNow.AddSeconds(1));
        });
    }

    [Fact]
    public void A_request_without_a_job_book_still_works()
    {
        var driver = new SimulatedDriver();
        var domain = Spawn("web1", driver);
        Accept(domain, new Create(Spec("web1"), new RequestContext("j-x", "alice", null)));
        Accept(domain, new Start("web1", new RequestContext("j-y", "alice", null)));
        AwaitState(domain, "web1", "running");
        _jobs.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    /// <summary>A driver whose starts wait at a gate the test opens, so that requests can arrive while a VMM is starting.</summary>
    private sealed class GatedDriver(SimulatedDriver inner) : IVmmDriver
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting, _started;
        public string Name => inner.Name;
        public int Waiting => Volatile.Read(ref _waiting);
        public int Started => Volatile.Read(ref _started);
        public void Open() => _gate.TrySetResult();
        public Task CreateDiskAsync(string path, long sizeBytes, CancellationToken ct) => inner.CreateDiskAsync(path, sizeBytes, ct);
        public Task<IVmmProcess?> TryAdoptAsync(VmmLaunchSpec spec, CancellationToken ct) => inner.TryAdoptAsync(spec, ct);

        public async Task<IVmmProcess> StartAsync(VmmLaunchSpec spec, CancellationToken ct)
        {
            Interlocked.Increment(ref _waiting);
            await _gate.Task;
            var process = await inner.StartAsync(spec, ct);
            Interlocked.Increment(ref _started);
            return process;
        }
    }

    [Fact]
    public void Stop_while_the_vmm_is_still_starting_stops_it_once_it_runs()
    {
        var driver = new SimulatedDriver();
        var gated = new GatedDriver(driver);
        var domain = Spawn("web1", gated);
        Create(domain, "web1");

        Accept(domain, new Start("web1", Job(out var startJob)));
        AwaitCondition(() => gated.Waiting == 1, Wait);
        Accept(domain, new Stop("web1", 5, Job(out var stopJob)));
        ExpectJob(startJob, false); // overtaken by the stop
        gated.Open();

        ExpectJob(stopJob, true);
        AwaitEvents("web1", es => es[^1] is DomainEvents.Stopped);
        AwaitState(domain, "web1", "stopped");
        Assert.Equal(0, driver.LiveCount);
    }

    [Fact]
    public void The_stop_job_of_a_starting_domain_finishes_only_once_the_vmm_is_gone()
    {
        var driver = new SimulatedDriver();
        var gated = new GatedDriver(driver);
        var domain = Spawn("web1", gated);
        Create(domain, "web1");

        Accept(domain, new Start("web1", Job(out _)));
        AwaitCondition(() => gated.Waiting == 1, Wait);
        Accept(domain, new Stop("web1", 5, Job(out var stopJob)));
        Assert.False(JobEndsWithin(stopJob, TimeSpan.FromMilliseconds(300)),
            "the stop job succeeded while the VMM was still starting");
        gated.Open();
        ExpectJob(stopJob, true);
        // a succeeded stop job means no VMM runs for the domain, and the journal says so
        Assert.Equal(0, driver.LiveCount);
        Assert.IsType<DomainEvents.Stopped>(Events("web1")[^1]);
    }

    [Fact]
    public void Delete_while_the_vmm_is_still_starting_leaves_no_vmm_behind()
    {
        var driver = new SimulatedDriver();
        var gated = new GatedDriver(driver);
        var domain = Spawn("web1", gated);
        Create(domain, "web1");

        Accept(domain, new Start("web1", Job(out _)));
        AwaitCondition(() => gated.Waiting == 1, Wait);
        Accept(domain, new Stop("web1", 5, Job(out _)));
        domain.Tell(new Delete("web1", Job(out _)), TestActor);
        ExpectMsg<DomainReplies.IDomainReply>(Wait);
        gated.Open();
        AwaitCondition(() => gated.Started == 1, Wait);

        // whatever the reply to delete, once things settle no VMM may run for a domain that is deleted or stopped
        AwaitCondition(() => driver.LiveCount == 0, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(20),
            "a VMM is left running for a domain that was deleted while its VMM was starting");
        Assert.DoesNotContain(Events("web1").SkipWhile(e => e is not Deleted), e => e is Started or Adopted);
    }
}
