using static Actors.Domains.DomainCommands;
using static Actors.Domains.DomainEvents;

namespace Actors.Domains.Tests;

/// <summary>The pure rules of a domain: <see cref="DomainState.Decide"/> and <see cref="DomainState.Apply"/>, no actors.</summary>
public sealed class DomainStateTests
{
    private const string Name = "web1";
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RequestContext Req = new("j-1", "alice", null);

    private static EventMeta Meta(DateTimeOffset? at = null) => new("alice", at ?? T0, "j-1", "node1");

    private static DomainSpec Spec(RestartPolicy restart = RestartPolicy.OnCrash) =>
        new(Name, 2, 512, [1L << 30], restart, null, null, null);

    private static DomainState Fold(DomainState state, params IDomainEvent[] events) =>
        events.Aggregate(state, (s, e) => s.Apply(e));

    private static DomainState Created(RestartPolicy restart = RestartPolicy.OnCrash) =>
        DomainState.Empty.Apply(new DomainEvents.Created(Name, Spec(restart), Meta()));

    /// <summary>A domain in each state an operator can see, built from events only.</summary>
    private static DomainState InState(string word, RestartPolicy restart = RestartPolicy.OnCrash)
    {
        var stopped = Created(restart);
        var starting = Fold(stopped, new StartRequested(Name, Meta()));
        var running = Fold(starting, new Started(Name, "node1", 4242, Meta()));
        var pausing = Fold(running, new PauseRequested(Name, Meta()));
        var paused = Fold(pausing, new DomainEvents.Paused(Name, Meta()));
        return word switch
        {
            "stopped" => stopped,
            "starting" => starting,
            "running" => running,
            "pausing" => pausing,
            "paused" => paused,
            "stopping" => Fold(running, new StopRequested(Name, 30, Meta())),
            "stopping-paused" => Fold(paused, new StopRequested(Name, 30, Meta())),
            "killing" => Fold(running, new DomainEvents.KillRequested(Name, Meta())),
            "restarting" => Fold(running, new RestartRequested(Name, 30, Meta())),
            "crashed" => Fold(running, new Crashed(Name, "killed by signal 9", false, Meta())),
            "crashed-restarting" => Fold(running, new Crashed(Name, "killed by signal 9", true, Meta())),
            _ => throw new ArgumentException(word),
        };
    }

    private static IDomainCommand Command(string verb) => verb switch
    {
        "create" => new Create(Spec(), Req),
        "start" => new Start(Name, Req),
        "stop" => new Stop(Name, 30, Req),
        "kill" => new Kill(Name, Req),
        "restart" => new DomainCommands.Restart(Name, 30, Req),
        "pause" => new Pause(Name, Req),
        "resume" => new Resume(Name, Req),
        "delete" => new Delete(Name, Req),
        _ => throw new ArgumentException(verb),
    };

    public static readonly TheoryData<string, string> StateWords = new()
    {
        { "stopped", "stopped" },
        { "starting", "starting" },
        { "running", "running" },
        { "pausing", "pausing" },
        { "paused", "paused" },
        { "stopping", "stopping" },
        { "stopping-paused", "stopping" },
        { "killing", "stopping" },
        { "restarting", "restarting" },
        { "crashed", "crashed" },
        { "crashed-restarting", "starting" },
    };

    [Theory]
    [MemberData(nameof(StateWords))]
    public void Fixtures_are_in_the_state_they_are_named_for(string fixture, string word) =>
        Assert.Equal(word, InState(fixture).StateWord);

    // ---------------------------------------------------------------- Decide: accepted transitions

    public static readonly TheoryData<string, string, Type> ValidTransitions = new()
    {
        { "stopped", "start", typeof(StartRequested) },
        { "stopped", "delete", typeof(Deleted) },
        { "crashed", "start", typeof(StartRequested) },
        { "crashed", "delete", typeof(Deleted) },
        { "starting", "stop", typeof(StopRequested) },
        { "starting", "kill", typeof(DomainEvents.KillRequested) },
        { "crashed-restarting", "stop", typeof(StopRequested) },
        { "running", "stop", typeof(StopRequested) },
        { "running", "kill", typeof(DomainEvents.KillRequested) },
        { "running", "restart", typeof(RestartRequested) },
        { "running", "pause", typeof(PauseRequested) },
        { "pausing", "resume", typeof(ResumeRequested) },
        { "pausing", "stop", typeof(StopRequested) },
        { "pausing", "kill", typeof(DomainEvents.KillRequested) },
        { "pausing", "restart", typeof(RestartRequested) },
        { "paused", "resume", typeof(ResumeRequested) },
        { "paused", "stop", typeof(StopRequested) },
        { "paused", "kill", typeof(DomainEvents.KillRequested) },
        { "paused", "restart", typeof(RestartRequested) },
        { "stopping", "kill", typeof(DomainEvents.KillRequested) },
        { "stopping-paused", "kill", typeof(DomainEvents.KillRequested) },
        { "restarting", "stop", typeof(StopRequested) },
        { "restarting", "kill", typeof(DomainEvents.KillRequested) },
    };

    [Theory]
    [MemberData(nameof(ValidTransitions))]
    public void Valid_transitions_yield_one_event_with_the_request_meta(string fixture, string verb, Type eventType)
    {
        var meta = Meta(T0.AddMinutes(5));
        var decision = InState(fixture).Decide(Command(verb), meta);

        Assert.True(decision.Accepted, decision.RejectMessage);
        Assert.Null(decision.RejectMessage);
        var e = Assert.Single(decision.Events);
        Assert.IsType(eventType, e);
        Assert.Equal(Name, e.Name);
        Assert.Equal(meta, e.Meta);
    }

    [Fact]
    public void Create_on_an_empty_state_yields_Created_with_the_spec()
    {
        var spec = Spec();
        var decision = DomainState.Empty.Decide(new Create(spec, Req), Meta());
        var created = Assert.IsType<DomainEvents.Created>(Assert.Single(decision.Events));
        Assert.Same(spec, created.Spec);
    }

    [Fact]
    public void Stop_and_restart_carry_their_timeouts()
    {
        var running = InState("running");
        var stop = Assert.IsType<StopRequested>(Assert.Single(running.Decide(new Stop(Name, 7, Req), Meta()).Events));
        Assert.Equal(7, stop.TimeoutSeconds);
        var restart = Assert.IsType<RestartRequested>(Assert.Single(running.Decide(new DomainCommands.Restart(Name, 9, Req), Meta()).Events));
        Assert.Equal(9, restart.TimeoutSeconds);
        Assert.Equal(7, running.Apply(stop).StopTimeoutSeconds);
        Assert.Equal(9, running.Apply(restart).StopTimeoutSeconds);
    }

    // ---------------------------------------------------------------- Decide: rejections

    public static readonly TheoryData<string, string, string> InvalidTransitions = new()
    {
        // create twice
        { "stopped", "create", "domain web1 already exists" },
        { "running", "create", "domain web1 already exists" },
        // start
        { "starting", "start", "domain web1 is already starting" },
        { "running", "start", "domain web1 is already running" },
        { "restarting", "start", "domain web1 is already restarting" },
        { "crashed-restarting", "start", "domain web1 is already starting" },
        { "paused", "start", "domain web1 is paused; resume it instead" },
        { "pausing", "start", "domain web1 is pausing; resume it instead" },
        { "stopping", "start", "domain web1 is stopping; wait until it has stopped, or kill it" },
        { "stopping-paused", "start", "domain web1 is stopping; wait until it has stopped, or kill it" },
        { "killing", "start", "domain web1 is stopping; wait until it has stopped, or kill it" },
        // stop
        { "stopped", "stop", "domain web1 is already stopped" },
        { "stopping", "stop", "domain web1 is already stopping" },
        { "killing", "stop", "domain web1 is already stopping" },
        { "crashed", "stop", "domain web1 is already crashed" },
        // kill
        { "stopped", "kill", "domain web1 is not running" },
        { "crashed", "kill", "domain web1 is not running" },
        // restart
        { "stopped", "restart", "domain web1 is stopped; start it instead" },
        { "crashed", "restart", "domain web1 is crashed; start it instead" },
        { "starting", "restart", "domain web1 is starting; start it instead" },
        { "stopping", "restart", "domain web1 is stopping; start it instead" },
        { "restarting", "restart", "domain web1 is already restarting" },
        // pause
        { "stopped", "pause", "domain web1 is stopped; start it before pause" },
        { "crashed", "pause", "domain web1 is crashed; start it before pause" },
        { "stopping", "pause", "domain web1 is stopping; start it before pause" },
        { "paused", "pause", "domain web1 is already paused" },
        { "pausing", "pause", "domain web1 is already pausing" },
        { "starting", "pause", "domain web1 is starting; wait until it runs before pause" },
        { "crashed-restarting", "pause", "domain web1 is starting; wait until it runs before pause" },
        { "restarting", "pause", "domain web1 is restarting; wait until it runs before pause" },
        // resume
        { "stopped", "resume", "domain web1 is stopped, not paused; nothing to resume" },
        { "starting", "resume", "domain web1 is starting, not paused; nothing to resume" },
        { "running", "resume", "domain web1 is running, not paused; nothing to resume" },
        { "stopping", "resume", "domain web1 is stopping, not paused; nothing to resume" },
        { "restarting", "resume", "domain web1 is restarting, not paused; nothing to resume" },
        { "crashed", "resume", "domain web1 is crashed, not paused; nothing to resume" },
        // delete
        { "running", "delete", "domain web1 is running; stop it before delete" },
        { "paused", "delete", "domain web1 is paused; stop it before delete" },
        { "pausing", "delete", "domain web1 is pausing; stop it before delete" },
        { "starting", "delete", "domain web1 is starting; stop it before delete" },
        { "crashed-restarting", "delete", "domain web1 is starting; stop it before delete" },
        { "stopping", "delete", "domain web1 is stopping; stop it before delete" },
        { "stopping-paused", "delete", "domain web1 is stopping; stop it before delete" },
        { "restarting", "delete", "domain web1 is restarting; stop it before delete" },
    };

    [Theory]
    [MemberData(nameof(InvalidTransitions))]
    public void Invalid_transitions_are_rejected_with_409_naming_the_domain_and_yield_no_events(string fixture, string verb, string message)
    {
        var state = InState(fixture);
        var decision = state.Decide(Command(verb), Meta());

        Assert.False(decision.Accepted);
        Assert.Equal(409, decision.RejectStatus);
        Assert.Equal(message, decision.RejectMessage);
        Assert.Contains(Name, decision.RejectMessage);
        Assert.Empty(decision.Events);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("stop")]
    [InlineData("kill")]
    [InlineData("restart")]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("delete")]
    public void Any_command_on_a_missing_domain_is_404(string verb)
    {
        foreach (var state in new[] { DomainState.Empty, Fold(Created(), new Deleted(Name, Meta())) })
        {
            var decision = state.Decide(Command(verb), Meta());
            Assert.False(decision.Accepted);
            Assert.Equal(404, decision.RejectStatus);
            Assert.Equal("domain web1 does not exist", decision.RejectMessage);
            Assert.Empty(decision.Events);
        }
    }

    private sealed record Frobnicate(string Name, RequestContext Request) : IDomainCommand
    {
        public string Verb => "frobnicate";
    }

    [Fact]
    public void An_unknown_command_is_400_and_names_the_verb()
    {
        var decision = InState("running").Decide(new Frobnicate(Name, Req), Meta());
        Assert.Equal(400, decision.RejectStatus);
        Assert.Equal("unknown command frobnicate for domain web1", decision.RejectMessage);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Decide_is_pure_the_state_is_unchanged()
    {
        var state = InState("running");
        var copy = state with { };
        _ = state.Decide(Command("stop"), Meta());
        _ = state.Decide(Command("start"), Meta());
        Assert.Equal(copy, state);
    }

    // ---------------------------------------------------------------- Apply

    [Fact]
    public void Created_sets_spec_and_times_and_nothing_else()
    {
        var s = Created();
        Assert.True(s.Exists);
        Assert.Equal(Spec().Name, s.Spec!.Name);
        Assert.Equal(DesiredState.Stopped, s.Desired);
        Assert.Equal(ActualState.Stopped, s.Actual);
        Assert.Equal(T0, s.CreatedAt);
        Assert.Equal(T0, s.UpdatedAt);
        Assert.Null(s.Pid);
        Assert.Equal("stopped", s.StateWord);
    }

    [Fact]
    public void Every_event_moves_UpdatedAt_but_not_CreatedAt()
    {
        var later = T0.AddHours(1);
        var s = Created().Apply(new StartRequested(Name, Meta(later)));
        Assert.Equal(T0, s.CreatedAt);
        Assert.Equal(later, s.UpdatedAt);
    }

    [Fact]
    public void Started_records_server_and_pid_and_clears_the_last_error()
    {
        var s = Fold(Created(), new StartRequested(Name, Meta()), new StartFailed(Name, "no qemu", Meta()));
        Assert.Equal("no qemu", s.LastError);
        s = Fold(s, new StartRequested(Name, Meta()));
        Assert.Null(s.LastError);
        s = Fold(s with { LastError = "stale" }, new Started(Name, "node7", 99, Meta()));
        Assert.Equal(ActualState.Running, s.Actual);
        Assert.Equal("node7", s.Server);
        Assert.Equal(99, s.Pid);
        Assert.Null(s.LastError);
        Assert.True(s.VmmAlive);
        Assert.Equal("running", s.StateWord);
    }

    [Fact]
    public void StartFailed_leaves_the_domain_stopped_with_the_reason()
    {
        var s = Fold(InState("starting"), new StartFailed(Name, "qemu: no such file", Meta()));
        Assert.Equal(DesiredState.Stopped, s.Desired);
        Assert.Equal(ActualState.Stopped, s.Actual);
        Assert.Equal("qemu: no such file", s.LastError);
        Assert.Null(s.Pid);
        Assert.Equal("stopped", s.StateWord);
    }

    [Fact]
    public void Pause_and_resume_move_desired_then_actual()
    {
        var s = InState("running");
        s = s.Apply(new PauseRequested(Name, Meta()));
        Assert.Equal("pausing", s.StateWord);
        s = s.Apply(new DomainEvents.Paused(Name, Meta()));
        Assert.Equal("paused", s.StateWord);
        Assert.True(s.VmmAlive);
        s = s.Apply(new ResumeRequested(Name, Meta()));
        Assert.Equal(DesiredState.Running, s.Desired);
        s = s.Apply(new Resumed(Name, Meta()));
        Assert.Equal("running", s.StateWord);
    }

    [Fact]
    public void Requested_stop_ends_stopped_and_clears_pid_and_flags()
    {
        var s = Fold(InState("killing"), new DomainEvents.Stopped(Name, "killed", Meta()));
        Assert.Equal(DesiredState.Stopped, s.Desired);
        Assert.Equal(ActualState.Stopped, s.Actual);
        Assert.False(s.KillRequested);
        Assert.Null(s.Pid);
        Assert.Null(s.Server);
        Assert.Equal("stopped", s.StateWord);
    }

    [Fact]
    public void KillRequested_sets_the_kill_flag_and_desires_stopped()
    {
        var s = InState("killing");
        Assert.True(s.KillRequested);
        Assert.Equal(DesiredState.Stopped, s.Desired);
    }

    [Fact]
    public void Restart_stop_keeps_desired_running_so_the_vmm_starts_again()
    {
        var s = InState("restarting");
        Assert.True(s.RestartPending);
        s = s.Apply(new DomainEvents.Stopped(Name, "restart", Meta()));
        Assert.False(s.RestartPending);
        Assert.Equal(DesiredState.Running, s.Desired);
        Assert.Equal("starting", s.StateWord);
    }

    [Fact]
    public void Stop_during_a_restart_wins()
    {
        var s = Fold(InState("restarting"), new StopRequested(Name, 30, Meta()), new DomainEvents.Stopped(Name, "restart", Meta()));
        Assert.Equal(DesiredState.Stopped, s.Desired);
        Assert.Equal("stopped", s.StateWord);
    }

    [Theory]
    [InlineData(RestartPolicy.OnCrash, "stopped", DesiredState.Stopped)]
    [InlineData(RestartPolicy.Never, "stopped", DesiredState.Stopped)]
    [InlineData(RestartPolicy.Always, "starting", DesiredState.Running)]
    public void Guest_shutdown_while_desired_running_stays_stopped_unless_policy_always(RestartPolicy policy, string word, DesiredState desired)
    {
        var s = InState("running", policy);
        Assert.Equal(policy == RestartPolicy.Always, s.ShouldRestartAfterGuestShutdown());
        s = s.Apply(new DomainEvents.Stopped(Name, "guest-shutdown", Meta()));
        Assert.Equal(ActualState.Stopped, s.Actual);
        Assert.Equal(desired, s.Desired);
        Assert.Equal(word, s.StateWord);
    }

    [Fact]
    public void Requested_stop_under_policy_always_stays_stopped()
    {
        var s = Fold(InState("running", RestartPolicy.Always), new StopRequested(Name, 30, Meta()), new DomainEvents.Stopped(Name, "guest-shutdown", Meta()));
        Assert.False(s.ShouldRestartAfterGuestShutdown());
        Assert.Equal(DesiredState.Stopped, s.Desired);
        Assert.Equal("stopped", s.StateWord);
    }

    [Theory]
    [InlineData(RestartPolicy.OnCrash, true)]
    [InlineData(RestartPolicy.Always, true)]
    [InlineData(RestartPolicy.Never, false)]
    public void Crash_restarts_per_policy(RestartPolicy policy, bool restarts)
    {
        var s = InState("running", policy);
        var at = T0.AddMinutes(1);
        var verdict = s.ShouldRestartAfterCrash(at);
        Assert.Equal(restarts, verdict);

        s = s.Apply(new Crashed(Name, "killed by signal 9", verdict, Meta(at)));
        Assert.Equal(ActualState.Crashed, s.Actual);
        Assert.Equal(restarts ? DesiredState.Running : DesiredState.Stopped, s.Desired);
        Assert.Equal(restarts ? "starting" : "crashed", s.StateWord);
        Assert.Equal("killed by signal 9", s.LastError);
        Assert.Null(s.Pid);
        Assert.False(s.VmmAlive);
        Assert.Equal([at], s.RecentCrashes);
    }

    [Fact]
    public void A_crash_while_stopping_is_not_restarted()
    {
        Assert.False(InState("stopping").ShouldRestartAfterCrash(T0));
        Assert.False(InState("stopping", RestartPolicy.Always).ShouldRestartAfterCrash(T0));
    }

    [Fact]
    public void Crash_loop_stops_restarting_at_the_limit_within_the_window()
    {
        var s = InState("running", RestartPolicy.Always);
        var at = T0;
        for (var i = 1; i <= DomainState.MaxCrashesInWindow; i++)
        {
            at = at.AddSeconds(5);
            var verdict = s.ShouldRestartAfterCrash(at);
            // the crashes before the limit restart; the one that reaches the limit does not
            Assert.Equal(i < DomainState.MaxCrashesInWindow, verdict);
            s = s.Apply(new Crashed(Name, "boom", verdict, Meta(at)));
            Assert.Equal(i, s.RecentCrashes.Count);
            if (verdict) s = s.Apply(new Started(Name, "node1", 100 + i, Meta(at)));
        }
        Assert.Equal("crashed", s.StateWord);
        Assert.Equal(DesiredState.Stopped, s.Desired);
    }

    [Fact]
    public void Crashes_older_than_the_window_are_forgotten()
    {
        var s = InState("running");
        var at = T0;
        // many crashes, each more than a window apart: every one restarts
        for (var i = 0; i < DomainState.MaxCrashesInWindow * 2; i++)
        {
            at = at + DomainState.CrashWindow + TimeSpan.FromSeconds(1);
            Assert.True(s.ShouldRestartAfterCrash(at));
            s = Fold(s, new Crashed(Name, "boom", true, Meta(at)), new Started(Name, "node1", 200 + i, Meta(at)));
            Assert.Single(s.RecentCrashes);
        }
    }

    [Fact]
    public void A_crash_after_the_window_restarts_again_even_after_the_limit()
    {
        var s = InState("running");
        var at = T0;
        for (var i = 0; i < DomainState.MaxCrashesInWindow; i++)
        {
            at = at.AddSeconds(1);
            s = s.Apply(new Crashed(Name, "boom", s.ShouldRestartAfterCrash(at), Meta(at)));
        }
        Assert.Equal("crashed", s.StateWord);
        s = Fold(s, new StartRequested(Name, Meta(at)), new Started(Name, "node1", 5, Meta(at)));
        Assert.False(s.ShouldRestartAfterCrash(at.AddSeconds(1)));
        Assert.True(s.ShouldRestartAfterCrash(at + DomainState.CrashWindow + DomainState.CrashWindow));
    }

    [Fact]
    public void VmmLost_counts_as_stopped_but_keeps_the_wish_so_it_starts_again()
    {
        var s = Fold(InState("running"), new VmmLost(Name, "VMM not found after the node restarted", Meta()));
        Assert.Equal(ActualState.Stopped, s.Actual);
        Assert.Equal(DesiredState.Running, s.Desired);
        Assert.Null(s.Pid);
        Assert.Null(s.Server);
        Assert.Equal("VMM not found after the node restarted", s.LastError);
        Assert.Equal("starting", s.StateWord);

        var paused = Fold(InState("paused"), new VmmLost(Name, "gone", Meta()));
        Assert.Equal(DesiredState.Paused, paused.Desired);
        Assert.Equal("starting", paused.StateWord);
    }

    [Theory]
    [InlineData(false, ActualState.Running, "running")]
    [InlineData(true, ActualState.Paused, "paused")]
    public void Adopted_takes_the_vmm_as_found(bool paused, ActualState actual, string word)
    {
        var s = Fold(InState(paused ? "paused" : "running"), new Adopted(Name, "node2", 777, paused, Meta()));
        Assert.Equal(actual, s.Actual);
        Assert.Equal("node2", s.Server);
        Assert.Equal(777, s.Pid);
        Assert.Equal(word, s.StateWord);
    }

    [Fact]
    public void Deleted_returns_to_empty_and_the_name_can_be_created_again()
    {
        var s = Fold(InState("crashed"), new Deleted(Name, Meta()));
        Assert.False(s.Exists);
        Assert.Equal(DomainState.Empty, s);

        var decision = s.Decide(new Create(Spec(RestartPolicy.Never), Req), Meta(T0.AddDays(1)));
        var created = Assert.IsType<DomainEvents.Created>(Assert.Single(decision.Events));
        s = s.Apply(created);
        Assert.True(s.Exists);
        Assert.Equal(RestartPolicy.Never, s.Spec!.Restart);
        Assert.Equal(T0.AddDays(1), s.CreatedAt);
        Assert.Empty(s.RecentCrashes);
        Assert.Equal("stopped", s.StateWord);
    }

    // ---------------------------------------------------------------- StateWord for every combination

    [Theory]
    [InlineData(DesiredState.Stopped, ActualState.Stopped, false, "stopped")]
    [InlineData(DesiredState.Stopped, ActualState.Running, false, "stopping")]
    [InlineData(DesiredState.Stopped, ActualState.Paused, false, "stopping")]
    [InlineData(DesiredState.Stopped, ActualState.Crashed, false, "crashed")]
    [InlineData(DesiredState.Running, ActualState.Stopped, false, "starting")]
    [InlineData(DesiredState.Running, ActualState.Running, false, "running")]
    [InlineData(DesiredState.Running, ActualState.Paused, false, "paused")]
    [InlineData(DesiredState.Running, ActualState.Crashed, false, "starting")]
    [InlineData(DesiredState.Paused, ActualState.Stopped, false, "starting")]
    [InlineData(DesiredState.Paused, ActualState.Running, false, "pausing")]
    [InlineData(DesiredState.Paused, ActualState.Paused, false, "paused")]
    [InlineData(DesiredState.Paused, ActualState.Crashed, false, "starting")]
    [InlineData(DesiredState.Running, ActualState.Running, true, "restarting")]
    [InlineData(DesiredState.Stopped, ActualState.Running, true, "stopping")]
    [InlineData(DesiredState.Running, ActualState.Stopped, true, "starting")]
    [InlineData(DesiredState.Paused, ActualState.Paused, true, "paused")]
    public void StateWord_for_each_combination(DesiredState desired, ActualState actual, bool restartPending, string word)
    {
        var s = Created() with { Desired = desired, Actual = actual, RestartPending = restartPending };
        Assert.Equal(word, s.StateWord);
        Assert.Equal(actual is ActualState.Running or ActualState.Paused, s.VmmAlive);
    }
}

public sealed class DomainMigrationStateTests
{
    private const string Name = "web1";
    private static readonly RequestContext Req = new("j-1", "alice", null);
    private static EventMeta Meta() => new("alice", DateTimeOffset.UnixEpoch, "j-1", "node1");
    private static DomainSpec Spec() => new(Name, 1, 64, [], RestartPolicy.OnCrash, null, null, null, Ha: true);

    private static DomainState Running() => DomainState.Empty
        .Apply(new DomainEvents.Created(Name, Spec(), Meta()))
        .Apply(new DomainEvents.StartRequested(Name, Meta()))
        .Apply(new DomainEvents.Started(Name, "node1", 100, Meta()));

    [Fact]
    public void A_running_domain_may_migrate_to_another_server_and_shows_migrating()
    {
        var d = Running().Decide(new DomainCommands.Migrate(Name, "node2", "akka.tcp://vmc@127.0.0.1:4054", Req), Meta());
        Assert.True(d.Accepted);
        var s = Running().Apply(Assert.Single(d.Events));
        Assert.Equal("node2", s.MigratingTo);
        Assert.Equal("migrating", s.StateWord);
        var done = s.Apply(new DomainEvents.Migrated(Name, "node1", "node2", 200, 900, 30, Meta()));
        Assert.Equal(("node2", 200, "running", (string?)null), (done.Server, done.Pid!.Value, done.StateWord, done.MigratingTo));
    }

    [Fact]
    public void A_failed_migration_leaves_the_domain_running_where_it_was_with_the_reason()
    {
        var s = Running().Apply(new DomainEvents.MigrationRequested(Name, "node2", Meta()))
            .Apply(new DomainEvents.MigrationFailed(Name, "node2", "timed out after 120 s", Meta()));
        Assert.Equal(("node1", "running", (string?)null), (s.Server, s.StateWord, s.MigratingTo));
        Assert.Equal("migration to node2 failed: timed out after 120 s", s.LastError);
    }

    [Theory]
    [InlineData("node1", "domain web1 already runs on node1")]
    public void Migrating_to_its_own_server_is_refused(string to, string message)
    {
        var d = Running().Decide(new DomainCommands.Migrate(Name, to, "x", Req), Meta());
        Assert.Equal((409, message), (d.RejectStatus, d.RejectMessage));
        Assert.Empty(d.Events);
    }

    [Fact]
    public void A_stopped_or_already_migrating_domain_cannot_migrate()
    {
        var stopped = DomainState.Empty.Apply(new DomainEvents.Created(Name, Spec(), Meta()));
        var d1 = stopped.Decide(new DomainCommands.Migrate(Name, "node2", "x", Req), Meta());
        Assert.Equal("domain web1 is stopped; only a running or paused domain can migrate", d1.RejectMessage);
        var migrating = Running().Apply(new DomainEvents.MigrationRequested(Name, "node2", Meta()));
        var d2 = migrating.Decide(new DomainCommands.Migrate(Name, "node3", "x", Req), Meta());
        Assert.Equal("domain web1 is already migrating to node2", d2.RejectMessage);
    }

    [Fact]
    public void A_scheduler_decision_is_recorded_with_the_request_it_led_to()
    {
        var decision = new SchedulerDecision("migrate", "node1", "node2", "node2: chosen by the operator, 3 GiB free");
        var d = Running().Decide(new DomainCommands.Migrate(Name, "node2", "x", Req, decision), Meta());
        Assert.Equal([new DomainEvents.MigrationRequested(Name, "node2", Meta()),
            new DomainEvents.Placed(Name, "migrate", "node1", "node2", "node2: chosen by the operator, 3 GiB free", Meta())], d.Events);

        var stopped = DomainState.Empty.Apply(new DomainEvents.Created(Name, Spec(), Meta()));
        var start = stopped.Decide(new DomainCommands.Start(Name, Req, decision with { Kind = "start", From = null }), Meta());
        Assert.Equal(2, start.Events.Count);
        Assert.Equal("running", stopped.Apply(start.Events[0]).Apply(start.Events[1]).Desired.ToString().ToLowerInvariant());
        Assert.Single(stopped.Decide(new DomainCommands.Start(Name, Req), Meta()).Events); // no decision, nothing more
    }

    [Fact]
    public void A_failover_that_cannot_start_the_domain_leaves_it_stopped_where_it_was_re_homed()
    {
        var s = Running().Apply(new DomainEvents.Placed(Name, "failover", "node1", "node2", "node2: best fit; pool default has HA off", Meta(), Starts: false))
            .Apply(new DomainEvents.VmmLost(Name, "server node1 failed or left", Meta(), KeepDesired: true));
        Assert.Equal((DesiredState.Stopped, "stopped"), (s.Desired, s.StateWord));
        var starts = Running().Apply(new DomainEvents.Placed(Name, "failover", "node1", "node2", "node2: best fit", Meta()))
            .Apply(new DomainEvents.VmmLost(Name, "server node1 failed or left", Meta(), KeepDesired: true));
        Assert.Equal(DesiredState.Running, starts.Desired);
    }

    [Fact]
    public void A_crash_during_a_migration_ends_it()
    {
        var s = Running().Apply(new DomainEvents.MigrationRequested(Name, "node2", Meta()))
            .Apply(new DomainEvents.Crashed(Name, "killed by signal 9", true, Meta()));
        Assert.Null(s.MigratingTo);
    }
}
