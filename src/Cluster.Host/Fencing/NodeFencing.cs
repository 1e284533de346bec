using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Actors.Domains.Leases;
using Actors.Servers.Fencing;
using Vmm.Native;

namespace Cluster.Host.Fencing;

/// <summary>
/// Fencing of this server when the cluster shares a database (several servers): domain leases in that
/// database, renewed by the <see cref="LeaseKeeper"/>; a watchdog process outside the host that kills this
/// server's VMMs when the renewals stop (host dead or frozen); and self-fencing when the cluster downs this
/// server (it lost its majority, or was partitioned away): stop taking leases, kill every local VMM, then give
/// the leases up so that the domains can start elsewhere at once. A server whose renewals stopped for longer than
/// the watchdog timeout (frozen, or cut off from the database) fences itself the same way and then downs itself:
/// its VMMs are gone, its leases may be another server's already, and what its domain actors saw meanwhile (the
/// watchdog's kills) is not the domains' history.
/// </summary>
public sealed class NodeFencing(DomainLeaseStore store, string owner, FencingSettings settings, string dataDir, string watchdogScript)
    : IDomainLeases
{
    private readonly WatchdogLauncher _watchdog = new(watchdogScript, dataDir, settings.WatchdogTimeout);
    private IActorRef? _keeper;
    private ActorSystem? _system;
    private ILoggingAdapter? _log;
    private int _fenced;
    /// <summary>Unix ms of the last successful renewal's issue; 0 before the first.</summary>
    private long _lastRenewal;

    public FencingSettings Settings => settings;

    /// <summary>
    /// The lease keeper's dispatcher, a thread of its own (part of every node's configuration): its renewals and
    /// heartbeat writes must not wait behind a busy node's actors.
    /// </summary>
    public const string KeeperDispatcherHocon = "vmc.fencing.keeper-dispatcher { type = PinnedDispatcher, executor = fork-join-executor }";

    private string DomainsDir => new Actors.Domains.DomainLayout(dataDir).DomainsDir;

    /// <summary>
    /// Fenced, or about to be: checked by domain actors before they record a fact, so a lapse is noticed here even
    /// before the keeper's next tick (after a freeze, both wake at once).
    /// </summary>
    public bool Revoked
    {
        get
        {
            if (Volatile.Read(ref _fenced) == 1) return true;
            var last = Volatile.Read(ref _lastRenewal);
            if (last == 0) return false;
            var age = TimeSpan.FromMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - last);
            if (age <= settings.WatchdogTimeout) return false;
            OnLapsed(age);
            return true;
        }
    }

    /// <summary>
    /// Fencing for a database that several servers share (PostgreSQL); null for the embedded SQLite file, where
    /// no other server can run this server's domains. Timers come from <c>vmc.fencing</c> in the HOCON.
    /// </summary>
    public static NodeFencing? ForSharedDatabase(NodeOptions options, DatabaseSetup db, string hocon)
    {
        if (!db.Shared) return null;
        var settings = FencingSettings.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString(hocon).GetConfig("vmc.fencing"));
        return new NodeFencing(new DomainLeaseStore(db.ConnectionString, db.ProviderName), options.Name, settings,
            options.DataDir, Path.Combine(AppContext.BaseDirectory, "watchdog.sh"));
    }

    public async Task<LeaseGrant> TryAcquireAsync(string domain, CancellationToken ct)
    {
        if (Revoked) return new LeaseGrant(false, $"nobody: server {owner} is fenced", null);
        var r = await store.TryAcquireAsync(domain, owner, settings.LeaseTtl, ct);
        return new LeaseGrant(r.Granted, r.HeldBy, r.Until);
    }

    public Task ReleaseAsync(string domain, CancellationToken ct) => store.ReleaseAsync(domain, owner, ct);

    /// <summary>Creates the lease table, starts renewing and the watchdog, and arms self-fencing on downing.</summary>
    public void Start(ActorSystem system)
    {
        _system = system;
        _log = Logging.GetLogger(system, nameof(NodeFencing));
        store.EnsureSchemaAsync().GetAwaiter().GetResult();
        // The leases are this server's by name, so a restart within their TTL would renew the previous run's for
        // domains it no longer runs (its VMMs died with it, or with the host), and keep them from starting on any
        // other server for good. Before any domain starts here, only those whose VMM still runs here keep theirs
        // (the wake-up adopts those VMMs).
        var adopted = LocalVmms.ByDomain(DomainsDir).Keys.ToList();
        var released = store.ReleaseAllAsync(owner, adopted).GetAwaiter().GetResult();
        if (released > 0) _log.Info("fencing: released {0} lease(s) of this server's previous run (no VMM of theirs runs here)", released);
        _keeper = system.ActorOf(LeaseKeeper.Props(store, owner, settings, dataDir,
            renewed: at => Volatile.Write(ref _lastRenewal, at.ToUnixTimeMilliseconds()),
            lapsed: OnLapsed).WithDispatcher("vmc.fencing.keeper-dispatcher"), "lease-keeper");
        var watchdogPid = _watchdog.Start();
        _log.Info("fencing: lease ttl {0} s, renew every {1} s, watchdog (pid {2}) kills local VMMs after {3} s without renewal",
            settings.LeaseTtl.TotalSeconds, settings.RenewInterval.TotalSeconds, watchdogPid, settings.WatchdogTimeout.TotalSeconds);

        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "fence-when-downed", async () =>
        {
            if (shutdown.ShutdownReason is CoordinatedShutdown.ClusterDowningReason)
                await FenceAsync("the cluster downed this server");
            return Akka.Done.Instance;
        });
    }

    private void OnLapsed(TimeSpan age) => _ = FenceAsync($"its leases lapsed (no renewal for {age.TotalSeconds:0.0} s)", downSelf: true);

    /// <summary>Idempotent. Order matters: no new lease, then no VMM, then no lease held.</summary>
    /// <param name="downSelf">Then take this server out of the cluster, so that its domains fail over.</param>
    public async Task FenceAsync(string why, bool downSelf = false)
    {
        if (Interlocked.Exchange(ref _fenced, 1) == 1) return;
        _keeper?.Tell(PoisonPill.Instance);
        var killed = LocalVmms.KillAll(DomainsDir);
        _log?.Warning("fencing: {0}; killed {1} local VMM(s) [{2}]", why, killed.Count, string.Join(", ", killed));
        try
        {
            var released = await store.ReleaseAllAsync(owner);
            _log?.Info("fencing: released {0} lease(s)", released);
        }
        catch (Exception ex)
        {
            _log?.Warning("fencing: could not release leases ({0}); they expire in {1} s", ex.Message, settings.LeaseTtl.TotalSeconds);
        }
        _watchdog.Stop();
        if (downSelf && _system is { } system)
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            _log?.Warning("fencing: downing this server ({0}); restart it to rejoin", cluster.SelfAddress);
            cluster.Down(cluster.SelfAddress);
        }
    }
}
