using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Actors.Domains.Catalog;
using Actors.Domains.Index;
using Actors.Domains.Jobs;
using Actors.Domains.Leases;
using Actors.Domains.Migration;
using Vmm.Native;
using static Actors.Domains.DomainCommands;
using static Actors.Domains.DomainEvents;

namespace Actors.Domains;

/// <summary>What a domain actor needs from the server it lives on.</summary>
/// <param name="Catalog">The domain catalog: told when a domain comes to exist or ceases to.</param>
/// <param name="Index">Where the domain publishes what the scheduler needs (null: nowhere).</param>
/// <param name="Leases">Domain leases (null: a single server, every lease granted).</param>
/// <param name="HasPeers">Whether other servers are in the cluster now: a domain whose shard moves off a server
/// that has peers must not leave its VMM running there (null: never).</param>
/// <param name="PassivateAfter">A domain that holds no VMM and has nothing to do asks its shard to stop it after
/// this long without a message (null: never; only under sharding, whose shard wakes it on its next message).</param>
public sealed record DomainRuntime(
    IVmmDriver Driver,
    string ServerName,
    DomainLayout Layout,
    IActorRef Catalog,
    IDomainIndex? Index = null,
    IDomainLeases? Leases = null,
    Func<bool>? HasPeers = null,
    Action<string, string>? MoveShard = null,
    TimeSpan? PassivateAfter = null)
{
    public IDomainLeases DomainLeases => Leases ?? UnsharedLeases.Instance;
}

/// <summary>
/// One domain: persists its events, supervises its VMM process and reconciles the actual state toward the
/// desired one. Decisions are made by <see cref="DomainState"/>; this actor does the I/O.
/// The VMM is left running when the actor stops (node shutdown): the next incarnation adopts it.
/// </summary>
public sealed class DomainActor : PersistentActor, IWithTimers
{
    private enum Operation { None, Adopting, Starting, Stopping, Pausing, Resuming, Migrating }

    // Results of VMM work, piped back to the actor.
    private sealed record VmmStarted(IVmmProcess Process);
    private sealed record VmmStartFailed(string Reason);
    private sealed record LeaseDenied(LeaseGrant Grant);
    private sealed record AdoptResult(IVmmProcess? Process, bool Paused, string? Error);
    private sealed record VmmExited(IVmmProcess Process, VmmExit Exit);
    private sealed record VmmOpDone(IVmmProcess Process, bool Paused);
    private sealed record VmmOpFailed(IVmmProcess Process, string Reason);
    private sealed record StopTimedOut(IVmmProcess Process);
    private sealed record ReconcileNow;
    /// <summary>How a live migration ended: Pid and Result on success; Lost when the VM is gone from both servers.</summary>
    private sealed record MigrationOutcome(int? Pid, MigrationResult? Result, string? Error, bool Lost);

    private sealed record PendingJob(string JobId, string Verb, IActorRef ReportTo);

    private readonly string _name;
    private readonly DomainRuntime _runtime;
    private List<PendingJob>? _jobs; // made by the first job a request brings
    private DomainState _state = DomainState.Empty;
    private IVmmProcess? _vmm;
    private Operation _op = Operation.None;
    private RequestContext? _cause;
    private string? _stopReason;
    private bool _handingOff;
    private bool _leaseHeld;
    private string? _migrationAddress;

    public DomainActor(string name, DomainRuntime runtime)
    {
        _name = name;
        _runtime = runtime;
        PersistenceId = "domain-" + name;
    }

    // One switch per phase instead of registered handlers: a node holds up to 100,000 idle domain actors, and
    // registered handlers cost every one of them its own delegates and match tables (about a kilobyte).
    protected override bool ReceiveRecover(object message)
    {
        switch (message)
        {
            case IDomainEvent e: _state = _state.Apply(e); return true;
            case RecoveryCompleted: OnRecovered(); return true;
            default: return false;
        }
    }

    protected override bool ReceiveCommand(object message)
    {
        switch (message)
        {
            case IDomainCommand command: HandleRequest(command); return true;
            case Get:
                Sender.Tell(_state.Exists
                    ? new DomainReplies.Accepted(View)
                    : new DomainReplies.Rejected(404, $"domain {_name} does not exist"));
                return true;
            case Wake: return true;
            case ReceiveTimeout: PassivateIfIdle(); return true;
            case Rehome m: OnRehome(m); return true;
            case HandOff: OnHandOff(); return true;
            case LeaseDenied m: OnLeaseDenied(m); return true;
            case AdoptResult m: OnAdopted(m); return true;
            case VmmStarted m: OnVmmStarted(m); return true;
            case VmmStartFailed m: OnVmmStartFailed(m); return true;
            case VmmExited m: OnVmmExited(m); return true;
            case VmmOpDone m: OnVmmOpDone(m); return true;
            case VmmOpFailed m: OnVmmOpFailed(m); return true;
            case StopTimedOut m: OnStopTimedOut(m); return true;
            case ReconcileNow: Reconcile(); return true;
            case MigrationOutcome m: OnMigrationOutcome(m); return true;
            default: return false;
        }
    }

    protected override void PreStart()
    {
        base.PreStart();
        if (_runtime.PassivateAfter is { } idle) Context.SetReceiveTimeout(idle);
    }

    /// <summary>
    /// A stopped domain with nothing in progress leaves memory (its shard stops it with <see cref="HandOff"/>, and
    /// starts it again on its next message): a node holds 100,000 defined domains, most of them stopped. One that is
    /// meant to run, or holds a VMM, a lease or a job, stays.
    /// </summary>
    private void PassivateIfIdle()
    {
        var idle = _state.Desired == DesiredState.Stopped && _vmm is null && _op == Operation.None && _jobs is not { Count: > 0 }
                   && !_handingOff && !_leaseHeld && _migrationAddress is null;
        if (!idle) return;
        Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(HandOff.Instance));
        Context.System.EventStream.Publish(DomainPassivating.Instance);
    }

    /// <summary>The failover manager's decision, recorded where the domain now lives; it wakes the entity here too.</summary>
    private void OnRehome(Rehome m)
    {
        if (!_state.Exists) return;
        var d = m.Placed;
        Record(new Placed(_name, d.Kind, d.From, d.To, d.Reason, new EventMeta("system", DateTimeOffset.UtcNow, null, _runtime.ServerName), m.Starts));
    }

    private void OnLeaseDenied(LeaseDenied m)
    {
        _op = Operation.None;
        if (_handingOff)
        {
            Reconcile();
            return;
        }
        var wait = m.Grant.Until is { } until ? until - DateTimeOffset.UtcNow : TimeSpan.Zero;
        wait = TimeSpan.FromMilliseconds(Math.Clamp(wait.TotalMilliseconds, 250, 2000));
        Log.Info("domain {0}: lease held by {1} until {2:O}; waiting before starting", _name, m.Grant.HeldBy, m.Grant.Until);
        Timers.StartSingleTimer("lease", new ReconcileNow(), wait);
    }

    private void OnVmmStartFailed(VmmStartFailed m)
    {
        _op = Operation.None;
        if (_handingOff)
        {
            Context.Stop(Self);
            return;
        }
        _leaseHeld = true; // possibly taken before the failure: released once the domain is stopped
        Record(new StartFailed(_name, m.Reason, FactMeta()));
    }

    private void OnVmmOpFailed(VmmOpFailed m)
    {
        if (m.Process != _vmm) return;
        _op = Operation.None;
        Log.Warning("domain {0}: VMM did not do what was asked: {1}; trying again shortly", _name, m.Reason);
        Timers.StartSingleTimer("retry", new ReconcileNow(), TimeSpan.FromSeconds(2));
    }

    private void OnStopTimedOut(StopTimedOut m)
    {
        if (m.Process != _vmm) return;
        _stopReason = $"killed after the guest ignored power-down for {_state.StopTimeoutSeconds} s";
        _ = m.Process.KillAsync();
    }

    /// <summary>
    /// A domain never saves a snapshot, so its recovery does not ask the snapshot store: one database read fewer
    /// for each domain that a node start wakes.
    /// </summary>
    private static readonly Recovery EventsOnly = new(SnapshotSelectionCriteria.None);

    private static readonly TimeSpan CatalogTimeout = TimeSpan.FromSeconds(5);

    public override string PersistenceId { get; }
    public override Recovery Recovery => EventsOnly;
    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string name, DomainRuntime runtime) =>
        Akka.Actor.Props.Create(() => new DomainActor(name, runtime));

    private DomainView View => DomainView.Of(_state, _runtime.Layout, _runtime.ServerName);

    private VmmLaunchSpec LaunchSpec => _runtime.Layout.LaunchSpec(_state.Spec!);

    private EventMeta RequestMeta(RequestContext r) => new(r.Principal, DateTimeOffset.UtcNow, r.JobId, _runtime.ServerName);

    /// <summary>Facts observed of the VMM are credited to the request that caused them, if any.</summary>
    private EventMeta FactMeta() => new(_cause?.Principal ?? "system", DateTimeOffset.UtcNow, _cause?.JobId, _runtime.ServerName);

    private void OnRecovered()
    {
        if (!_state.Exists) return;
        _runtime.Catalog.Tell(new CatalogMessages.Add(_name));
        PublishIndex();
        _op = Operation.Adopting;
        AdoptAsync(_runtime.Driver, _runtime.DomainLeases, LaunchSpec).PipeTo(Self);
    }

    /// <summary>
    /// Takes over a VMM of this domain that survived on this server, if its lease is still ours. A VMM whose
    /// lease another server holds now is a stale copy: it is killed, never adopted.
    /// </summary>
    private static async Task<AdoptResult> AdoptAsync(IVmmDriver driver, IDomainLeases leases, VmmLaunchSpec spec)
    {
        IVmmProcess? process = null;
        try
        {
            process = await driver.TryAdoptAsync(spec, CancellationToken.None);
            if (process is null) return new AdoptResult(null, false, null);
            var lease = await leases.TryAcquireAsync(spec.DomainName, CancellationToken.None);
            if (!lease.Granted)
            {
                await process.KillAsync();
                await process.DisposeAsync();
                return new AdoptResult(null, false, $"server {lease.HeldBy} holds the lease; the stale local VMM was killed");
            }
            var status = await process.QueryStatusAsync(CancellationToken.None);
            return new AdoptResult(process, status == VmmRunState.Paused, null);
        }
        catch (Exception ex)
        {
            // A handle not kept is let go: it holds the VMM's one control connection (QMP serves one client), and
            // every later adoption, the next start's included, would find it taken (fault suite, PostgreSQL restart).
            if (process is not null) await process.DisposeAsync();
            return new AdoptResult(null, false, ex.Message);
        }
    }

    private void OnAdopted(AdoptResult m)
    {
        _op = Operation.None;
        if (m.Process is { } process)
        {
            _leaseHeld = true;
            Watch(process);
            if (_handingOff)
            {
                OnHandOff();
                return;
            }
            Log.Info("domain {0}: adopted its running VMM, pid {1}", _name, process.Pid);
            Record(new Adopted(_name, _runtime.ServerName, process.Pid, m.Paused, FactMeta()));
        }
        else if (_state.VmmAlive)
        {
            // Same server: the node restarted and the VM died meanwhile; it runs again. Another server: the
            // domain's server failed; only an HA domain runs again.
            var sameServer = _state.Server == _runtime.ServerName;
            var reason = m.Error is not null ? $"VMM could not be adopted: {m.Error}"
                : sameServer ? "VMM not found after the node restarted"
                : $"server {_state.Server} failed or left; the domain is now on {_runtime.ServerName}";
            Record(new VmmLost(_name, reason, FactMeta(), KeepDesired: sameServer || _state.Spec!.Ha));
        }
        else if (_state.MigratingTo is { } to)
            Record(new MigrationFailed(_name, to, "the source server restarted during the migration", FactMeta()));
        else Reconcile();
    }

    private void HandleRequest(IDomainCommand command)
    {
        if (_runtime.DomainLeases.Revoked)
        {
            Sender.Tell(new DomainReplies.Rejected(503, $"server {_runtime.ServerName} was downed and fenced itself; ask another server"));
            return;
        }
        var decision = _state.Decide(command, RequestMeta(command.Request));
        // The persisted state cannot see a VMM that is being started or adopted right now; deleting then would
        // leave that VMM running for a domain that no longer exists.
        if (decision.Accepted && command is Delete && (_vmm is not null || _op != Operation.None))
            decision = Decision.Reject(409, $"domain {_name} is {_state.StateWord} but its VMM is still being handled; wait a moment, then delete");
        if (!decision.Accepted)
        {
            Sender.Tell(new DomainReplies.Rejected(decision.RejectStatus, decision.RejectMessage!));
            return;
        }
        var sender = Sender;
        var remaining = decision.Events.Count;
        PersistAll(decision.Events, e =>
        {
            _state = _state.Apply(e);
            if (--remaining > 0) return;
            PublishIndex();
            AfterRequest(command, e);
            var reply = new DomainReplies.Accepted(e is Deleted ? DeletedView(command) : View);
            if (e is Created && !_runtime.Catalog.IsNobody())
            {
                // Acknowledged once the catalog holds the name too (or could not say so in time: the domain exists
                // all the same, and its next recovery tells the catalog again).
                _runtime.Catalog.Ask<CatalogMessages.Recorded>(new CatalogMessages.Record(_name), CatalogTimeout)
                    .ContinueWith(_ => reply, TaskScheduler.Default).PipeTo(sender);
            }
            else sender.Tell(reply);
        });
    }

    private DomainView DeletedView(IDomainCommand command) =>
        new(command.Name, "deleted", "stopped", null, 0, 0, [], "never", false, "", null, null, null, null, null, null, null, DateTimeOffset.UtcNow);

    private void AfterRequest(IDomainCommand command, IDomainEvent e)
    {
        var request = command.Request;
        switch (e)
        {
            case Created:
                request.ReportTo?.Tell(new JobMessages.Finish(request.JobId, true, null));
                return;
            case Deleted:
                _runtime.Catalog.Tell(new CatalogMessages.Remove(_name));
                RemoveFiles();
                request.ReportTo?.Tell(new JobMessages.Finish(request.JobId, true, null));
                return;
        }
        _cause = request;
        if (command is Migrate migrate) _migrationAddress = migrate.ToAddress;
        if (request.ReportTo is { } reportTo) (_jobs ??= []).Add(new PendingJob(request.JobId, command.Verb, reportTo));
        SettleJobs();
        Reconcile();
    }

    private void RemoveFiles()
    {
        try
        {
            var dir = _runtime.Layout.DomainDir(_name);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (Exception ex)
        {
            Log.Warning("domain {0}: could not remove its files: {1}", _name, ex.Message);
        }
    }

    /// <summary>
    /// Persists a fact observed of the VMM, then lets jobs and reconciliation see it. A fenced server writes
    /// nothing: what its VMMs did after the fence is not the domain's history (the domain runs elsewhere now).
    /// </summary>
    private void Record(IDomainEvent fact)
    {
        if (_runtime.DomainLeases.Revoked)
        {
            Log.Warning("domain {0}: not recording {1}: this server is fenced", _name, fact.GetType().Name);
            Context.Stop(Self);
            return;
        }
        RecordUnfenced(fact);
    }

    private void RecordUnfenced(IDomainEvent fact) => Persist(fact, e =>
    {
        _state = _state.Apply(e);
        PublishIndex();
        SettleJobs();
        if (_handingOff) Context.Stop(Self);
        else Reconcile();
    });

    private void PublishIndex()
    {
        if (_runtime.Index is not { } index) return;
        if (_state.Spec is not { } spec)
        {
            index.Remove(_name);
            return;
        }
        index.Publish(new DomainIndexEntry(_name, _runtime.ServerName, spec.Pool, _state.StateWord,
            _state.Desired.ToString().ToLowerInvariant(), spec.Ha, spec.Vcpus, spec.MemoryMiB, DateTimeOffset.UtcNow));
    }

    /// <summary>
    /// The shard moves to another server. Alone in the cluster (node shutdown), the VMM is left running for the
    /// next start to adopt; with peers, the domain will run elsewhere, so the local VMM is killed first.
    /// </summary>
    private void OnHandOff()
    {
        _handingOff = true;
        // A VMM being started or adopted right now is handled when that ends (OnVmmStarted, OnAdopted).
        if (_op is Operation.Starting or Operation.Adopting or Operation.Migrating) return;
        if (_vmm is not { } vmm || _runtime.HasPeers?.Invoke() != true)
        {
            Context.Stop(Self);
            return;
        }
        _op = Operation.Stopping;
        _stopReason = $"moved off server {_runtime.ServerName}";
        _ = vmm.KillAsync();
    }

    /// <summary>Ends each waiting job whose goal is reached, or can no longer be.</summary>
    private void SettleJobs()
    {
        if (_jobs is null) return;
        for (var i = _jobs.Count - 1; i >= 0; i--)
        {
            var job = _jobs[i];
            var s = _state;
            bool? outcome = job.Verb switch
            {
                "start" or "resume" or "restart" =>
                    s.Desired != DesiredState.Running ? false : s.Actual == ActualState.Running && !s.RestartPending ? true : null,
                "stop" or "kill" =>
                    s.Desired != DesiredState.Stopped ? false
                    : s.Actual is ActualState.Stopped or ActualState.Crashed && _vmm is null && _op == Operation.None ? true
                    : null,
                "pause" =>
                    s.Desired != DesiredState.Paused ? false : s.Actual == ActualState.Paused ? true : null,
                // Ended by OnMigrationOutcome; here only when the VM went away meanwhile.
                "migrate" => s.MigratingTo is null && !s.VmmAlive ? false : null,
                _ => true,
            };
            if (outcome is null) continue;
            var message = outcome.Value
                ? job.Verb is "stop" or "kill" ? s.LastExit : null
                : s.LastError ?? $"domain {_name} is {s.StateWord}: a later request or event overtook this job";
            job.ReportTo.Tell(new JobMessages.Finish(job.JobId, outcome.Value, message));
            _jobs.RemoveAt(i);
        }
    }

    private void Reconcile()
    {
        if (_handingOff)
        {
            // Moving away: start nothing here; stop once no VMM work is in flight.
            if (_op == Operation.None && _vmm is null) Context.Stop(Self);
            return;
        }
        if (!_state.Exists) return;
        if (_vmm is null && _leaseHeld && _op == Operation.None && _state.Desired == DesiredState.Stopped)
        {
            _leaseHeld = false;
            _ = _runtime.DomainLeases.ReleaseAsync(_name, CancellationToken.None);
        }
        if (_op == Operation.Stopping && _state.KillRequested && _vmm is { } stopping)
        {
            _stopReason = "killed";
            _ = stopping.KillAsync();
            return;
        }
        if (_op != Operation.None) return;

        if (_vmm is null)
        {
            if (_state.Desired != DesiredState.Stopped) StartVmm();
            return;
        }
        var vmm = _vmm;
        if (_state.Desired == DesiredState.Stopped || _state.RestartPending) StopVmm(vmm);
        else if (_state.MigratingTo is { } target) StartMigration(vmm, target);
        else if (_state.Desired == DesiredState.Paused && _state.Actual == ActualState.Running)
        {
            _op = Operation.Pausing;
            vmm.PauseAsync(CancellationToken.None).PipeTo(Self, Self, () => new VmmOpDone(vmm, true), ex => new VmmOpFailed(vmm, ex.Message));
        }
        else if (_state.Desired == DesiredState.Running && _state.Actual == ActualState.Paused)
        {
            _op = Operation.Resuming;
            vmm.ResumeAsync(CancellationToken.None).PipeTo(Self, Self, () => new VmmOpDone(vmm, false), ex => new VmmOpFailed(vmm, ex.Message));
        }
    }

    private void StartVmm()
    {
        _op = Operation.Starting;
        StartAsync(_runtime.Driver, _runtime.DomainLeases, LaunchSpec, _state.Spec!.DiskSizesBytes)
            .PipeTo(Self, Self, m => m, ex => new VmmStartFailed(ex.Message));
    }

    /// <summary>
    /// Takes the domain's lease, makes missing disks, starts the VMM. A lease store that cannot answer (the database
    /// is restarting) is a wait, not a failed start. A live VMM of this domain already here is taken over, not
    /// refused: an earlier incarnation of this actor started it and could not persist the fact (same reason).
    /// </summary>
    private static async Task<object> StartAsync(IVmmDriver driver, IDomainLeases leases, VmmLaunchSpec spec, IReadOnlyList<long> sizes)
    {
        LeaseGrant lease;
        try
        {
            lease = await leases.TryAcquireAsync(spec.DomainName, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not VmmException)
        {
            return new LeaseDenied(new LeaseGrant(false, $"nobody known (the lease store did not answer: {ex.Message})", null));
        }
        if (!lease.Granted) return new LeaseDenied(lease);
        if (await driver.TryAdoptAsync(spec, CancellationToken.None) is { } running) return new VmmStarted(running);
        Directory.CreateDirectory(spec.RunDir);
        for (var i = 0; i < spec.DiskPaths.Count; i++)
            if (!File.Exists(spec.DiskPaths[i]))
                await driver.CreateDiskAsync(spec.DiskPaths[i], sizes[i], CancellationToken.None);
        return new VmmStarted(await driver.StartAsync(spec, CancellationToken.None));
    }

    private void OnVmmStarted(VmmStarted m)
    {
        _op = Operation.None;
        _leaseHeld = true;
        if (_handingOff)
        {
            // The shard moved while the VMM was starting: the domain will run on its new server, not here.
            Watch(m.Process);
            OnHandOff();
            return;
        }
        if (!_state.Exists)
        {
            // Cannot happen while deletes wait for starts; if it does, no VMM may outlive its domain.
            _ = m.Process.KillAsync();
            return;
        }
        Watch(m.Process);
        Record(new Started(_name, _runtime.ServerName, m.Process.Pid, FactMeta()));
    }

    private void Watch(IVmmProcess process)
    {
        _vmm = process;
        _stopReason = null;
        process.Exited.PipeTo(Self, Self, exit => new VmmExited(process, exit),
            ex => new VmmExited(process, new VmmExit(null, null, $"lost track of the VMM: {ex.Message}", false)));
    }

    private void StopVmm(IVmmProcess vmm)
    {
        _op = Operation.Stopping;
        if (_state.KillRequested)
        {
            _stopReason = "killed";
            _ = vmm.KillAsync();
            return;
        }
        _stopReason = null;
        vmm.PowerDownAsync(CancellationToken.None).ContinueWith(t =>
        {
            // A VMM that cannot even take the power button is killed at once.
            if (t.IsFaulted) _ = vmm.KillAsync();
        }, TaskScheduler.Default);
        Timers.StartSingleTimer("stop-timeout", new StopTimedOut(vmm), TimeSpan.FromSeconds(Math.Max(0, _state.StopTimeoutSeconds)));
    }

    private void OnVmmExited(VmmExited m)
    {
        if (m.Process != _vmm || _op == Operation.Migrating) return; // a migration's end is its outcome's business
        _vmm = null;
        Timers.Cancel("stop-timeout");
        var intended = _op == Operation.Stopping;
        _op = Operation.None;
        _ = m.Process.DisposeAsync().AsTask();
        if (_handingOff)
            Record(new VmmLost(_name, _stopReason ?? m.Exit.Reason, FactMeta(), KeepDesired: _state.Spec!.Ha));
        else if (intended)
            Record(new DomainEvents.Stopped(_name, _state.RestartPending ? "restart" : _stopReason ?? m.Exit.Reason, FactMeta()));
        else if (m.Exit.Expected)
        {
            _cause = null;
            Record(new DomainEvents.Stopped(_name, m.Exit.Reason, FactMeta()));
        }
        else
        {
            _cause = null;
            var now = DateTimeOffset.UtcNow;
            Log.Warning("domain {0}: VMM exited unexpectedly ({1})", _name, m.Exit.Reason);
            Record(new Crashed(_name, m.Exit.Reason, _state.ShouldRestartAfterCrash(now), FactMeta()));
        }
    }

    private void OnVmmOpDone(VmmOpDone m)
    {
        if (m.Process != _vmm) return;
        _op = Operation.None;
        Record(m.Paused ? new DomainEvents.Paused(_name, FactMeta()) : new Resumed(_name, FactMeta()));
    }

    private void StartMigration(IVmmProcess vmm, string target)
    {
        if (_migrationAddress is not { } address)
        {
            Record(new MigrationFailed(_name, target, "the target's address is unknown (the request was interrupted)", FactMeta()));
            return;
        }
        _op = Operation.Migrating;
        var receiver = Context.ActorSelection($"{address}/user/{MigrationReceiver.Name}");
        Log.Info("domain {0}: live migration to {1} starts", _name, target);
        var progress = new MigrationJobProgress([.. (_jobs ?? []).Where(j => j.Verb == "migrate").Select(j => (j.JobId, j.ReportTo))]);
        MigrateAsync(receiver, vmm, _state.Spec!, _state.Actual == ActualState.Paused, _runtime.DomainLeases, progress)
            .PipeTo(Self, Self, o => o, ex => new MigrationOutcome(null, null, ex.Message, false));
    }

    /// <summary>
    /// Source side of a live migration. The order keeps one running VM at every instant: the target waits
    /// paused; the source VMM is killed once QEMU reports the migration completed; only then does the target
    /// take the domain's lease and resume.
    /// </summary>
    private static async Task<MigrationOutcome> MigrateAsync(ActorSelection receiver, IVmmProcess vmm, DomainSpec spec,
        bool paused, IDomainLeases leases, IProgress<MigrationProgress> progress)
    {
        var prepared = await receiver.Ask<IClusterMessage>(new MigrationMessages.Prepare(spec), TimeSpan.FromSeconds(60));
        if (prepared is not MigrationMessages.Ready ready)
            return new MigrationOutcome(null, null, (prepared as MigrationMessages.Refused)?.Reason ?? "target did not prepare", false);
        MigrationResult result;
        try
        {
            result = await vmm.MigrateAsync(ready.Host, ready.Port, MigrationSettings.Default, progress, CancellationToken.None);
        }
        catch (Exception ex)
        {
            receiver.Tell(new MigrationMessages.Abort(spec.Name));
            return new MigrationOutcome(null, null, ex.Message, false);
        }
        await vmm.KillAsync();
        await leases.ReleaseAsync(spec.Name, CancellationToken.None);
        var committed = await receiver.Ask<IClusterMessage>(new MigrationMessages.Commit(spec.Name, !paused), TimeSpan.FromSeconds(30));
        return committed is MigrationMessages.Committed c
            ? new MigrationOutcome(c.Pid, result, null, false)
            : new MigrationOutcome(null, null, (committed as MigrationMessages.Refused)?.Reason ?? "target did not take over", true);
    }

    private void OnMigrationOutcome(MigrationOutcome m)
    {
        _op = Operation.None;
        var target = _state.MigratingTo ?? "?";
        if (m.Pid is { } pid && m.Result is { } result)
        {
            _vmm = null;
            _leaseHeld = false;
            var address = _migrationAddress!;
            Persist(new Migrated(_name, _runtime.ServerName, target, pid, (long)result.Total.TotalMilliseconds,
                (long)result.Downtime.TotalMilliseconds, FactMeta()), e =>
            {
                _state = _state.Apply(e);
                PublishIndex();
                FinishJobs("migrate", true, $"migrated to {target} in {e.TotalMs} ms, downtime {e.DowntimeMs} ms");
                // The domain (its actor) follows its VM; the VM's new server adopts it.
                _runtime.MoveShard?.Invoke(_name, address);
            });
            return;
        }
        if (m.Lost)
        {
            _vmm = null;
            Record(new VmmLost(_name, $"live migration to {target} failed after the source stopped: {m.Error}", FactMeta()));
            FinishJobs("migrate", false, m.Error);
            return;
        }
        Persist(new MigrationFailed(_name, target, m.Error ?? "unknown error", FactMeta()), e =>
        {
            _state = _state.Apply(e);
            PublishIndex();
            FinishJobs("migrate", false, e.Reason);
            // The source VMM may have died while migrating: then its exit is handled now.
            if (_vmm is { Exited.IsCompleted: true } vmm) Self.Tell(new VmmExited(vmm, vmm.Exited.Result));
            else Reconcile();
        });
    }

    private void FinishJobs(string verb, bool succeeded, string? message)
    {
        if (_jobs is null) return;
        foreach (var job in _jobs.Where(j => j.Verb == verb).ToList())
        {
            job.ReportTo.Tell(new JobMessages.Finish(job.JobId, succeeded, message));
            _jobs.Remove(job);
        }
    }

    protected override void PostStop()
    {
        // No VMM here any more (the domain moved, or never started): its lease must not outlive this actor, or
        // the lease keeper would go on renewing it and no other server could start the domain.
        if (_vmm is null && _leaseHeld) _ = _runtime.DomainLeases.ReleaseAsync(_name, CancellationToken.None);
        // Otherwise detach only: the VMM keeps running and is adopted by the next incarnation of this actor.
        _ = _vmm?.DisposeAsync().AsTask();
        base.PostStop();
    }
}
