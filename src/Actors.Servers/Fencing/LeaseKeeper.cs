using System.Globalization;
using Akka.Actor;
using Akka.Event;

namespace Actors.Servers.Fencing;

/// <summary>
/// Node-local: renews all of this server's domain leases every <see cref="FencingSettings.RenewInterval"/> and, after
/// each successful renewal, writes the heartbeat file <c>DATA_DIR/fencing/heartbeat</c> (unix ms; written to a
/// temporary file and renamed, so the watchdog never reads half a number). The stamp is the moment the successful
/// renewal was issued, not when its answer came: the database ran it no earlier, so every lease lasts at least
/// <see cref="FencingSettings.LeaseTtl"/> past the stamp (see <see cref="FencingSettings"/> for the ordering).
/// A failed or slow renewal (an answer later than one renew interval) is logged and leaves the heartbeat alone, so the
/// watchdog fences this server's VMMs if renewals keep failing. Domain actors acquire and release leases through
/// <see cref="DomainLeaseStore"/> directly; this actor only renews.
/// Once the last success is older than <see cref="FencingSettings.WatchdogTimeout"/> (the host was frozen, or the
/// database out of reach), the watchdog has killed this server's VMMs and its leases may pass to other servers:
/// the keeper stops renewing for good and reports the lapse, so the server fences itself instead of carrying on
/// with leases it no longer really holds.
/// </summary>
public sealed class LeaseKeeper : ReceiveActor
{
    /// <summary>Asks for a <see cref="Status"/>.</summary>
    public sealed record GetStatus
    {
        public static readonly GetStatus Instance = new();
    }

    /// <summary>The keeper's last outcome: when the last success was issued, how many leases it renewed, the last error.</summary>
    public sealed record Status(DateTimeOffset? LastSuccess, int LastRenewed, long Successes, long Failures, string? LastError);

    private sealed record Tick;
    private sealed record Renewed(int Count, DateTimeOffset IssuedAt);
    private sealed record RenewFailed(string Reason);

    private readonly DomainLeaseStore _store;
    private readonly string _owner;
    private readonly FencingSettings _settings;
    private readonly string _heartbeatFile;
    private readonly string _heartbeatTemp;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Action<DateTimeOffset> _renewed;
    private readonly Action<TimeSpan> _lapsed;
    private readonly CancellationTokenSource _ticking = new();
    private bool _inFlight;
    private bool _stopped;
    private Status _status = new(null, 0, 0, 0, null);

    /// <param name="renewed">Told the issue time of each successful renewal.</param>
    /// <param name="lapsed">Told once, with the age of the last success, when renewals stopped for too long.</param>
    public LeaseKeeper(DomainLeaseStore store, string owner, FencingSettings settings, string dataDir,
        Action<DateTimeOffset>? renewed = null, Action<TimeSpan>? lapsed = null)
    {
        _renewed = renewed ?? (_ => { });
        _lapsed = lapsed ?? (_ => { });
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        _store = store;
        _owner = owner;
        _settings = settings.Validate();
        var dir = Path.Combine(dataDir, "fencing");
        Directory.CreateDirectory(dir);
        _heartbeatFile = HeartbeatPath(dataDir);
        _heartbeatTemp = _heartbeatFile + ".tmp";

        Receive<Tick>(_ => Renew());
        Receive<Renewed>(OnRenewed);
        Receive<RenewFailed>(f =>
        {
            _inFlight = false;
            _status = _status with { Failures = _status.Failures + 1, LastError = f.Reason };
            _log.Warning("lease renewal for {0} failed ({1}); heartbeat not written, last success {2}",
                _owner, f.Reason, _status.LastSuccess?.ToString("O", CultureInfo.InvariantCulture) ?? "never");
        });
        Receive<GetStatus>(_ => Sender.Tell(_status));
    }

    /// <summary>Where the keeper writes its heartbeat for a data dir.</summary>
    public static string HeartbeatPath(string dataDir) => Path.Combine(dataDir, "fencing", "heartbeat");

    public static Props Props(DomainLeaseStore store, string owner, FencingSettings settings, string dataDir,
        Action<DateTimeOffset>? renewed = null, Action<TimeSpan>? lapsed = null) =>
        Akka.Actor.Props.Create(() => new LeaseKeeper(store, owner, settings, dataDir, renewed, lapsed));

    /// <summary>
    /// Ticks come from a thread of their own, not from Akka's timers: Akka's scheduler waits on the thread pool, so on
    /// a node whose pool is starved (thousands of domains starting) its timers stop, and so would the renewals. Run
    /// this actor on a dispatcher of its own too (the node's: vmc.fencing.keeper-dispatcher).
    /// </summary>
    protected override void PreStart()
    {
        var self = Self;
        var every = _settings.RenewInterval;
        var stopped = _ticking.Token;
        new Thread(() =>
        {
            do self.Tell(new Tick());
            while (!stopped.WaitHandle.WaitOne(every));
        }) { IsBackground = true, Name = "lease-keeper-ticks" }.Start();
    }

    protected override void PostStop() => _ticking.Cancel();

    private void Renew()
    {
        if (_stopped) return;
        if (_status.LastSuccess is { } last && DateTimeOffset.UtcNow - last > _settings.WatchdogTimeout)
        {
            _stopped = true;
            _ticking.Cancel();
            var age = DateTimeOffset.UtcNow - last;
            _log.Warning("leases of {0} lapsed: the last renewal succeeded {1:0.0} s ago (watchdog timeout {2} s); renewing no more",
                _owner, age.TotalSeconds, _settings.WatchdogTimeout.TotalSeconds);
            _lapsed(age);
            return;
        }
        if (_inFlight) return; // the previous renewal is still running (its timeout ends it)
        _inFlight = true;
        var issuedAt = DateTimeOffset.UtcNow;
        var store = _store;
        var owner = _owner;
        var ttl = _settings.LeaseTtl;
        var deadline = _settings.RenewInterval;
        // On a thread of its own, synchronously, on a connection of its own (DomainLeaseStore.RenewAll). Queued on the
        // thread pool, or for a pooled connection, behind a restarting node's work (10,000 domains recovering, 1,000
        // acquiring leases), renewals came too late, the leases lapsed and the node fenced and downed itself.
        // Told straight from that thread: a continuation (PipeTo) would wait for the pool like the rest.
        var self = Self;
        new Thread(() => self.Tell(RunRenewal())) { IsBackground = true, Name = "lease-renewal" }.Start();

        object RunRenewal()
        {
            try
            {
                var count = store.RenewAll(owner, ttl, deadline);
                // A late answer is no renewal: the heartbeat's stamp must reach the file within one renew interval.
                return DateTimeOffset.UtcNow - issuedAt > deadline ? NoAnswer() : new Renewed(count, issuedAt);
            }
            catch (TimeoutException)
            {
                return NoAnswer();
            }
            catch (Exception ex)
            {
                return new RenewFailed(ex.GetType().Name + ": " + ex.Message);
            }
        }

        RenewFailed NoAnswer() => new($"no answer within {deadline.TotalMilliseconds} ms");
    }

    private void OnRenewed(Renewed r)
    {
        _inFlight = false;
        if (_stopped) return; // a renewal that hung across the lapse: the server is fencing itself
        try
        {
            WriteHeartbeat(r.IssuedAt);
        }
        catch (Exception ex)
        {
            _status = _status with { Failures = _status.Failures + 1, LastError = "heartbeat: " + ex.Message };
            _log.Error(ex, "leases of {0} renewed but the heartbeat {1} could not be written", _owner, _heartbeatFile);
            return;
        }
        if (_status.LastError is not null || _status.Successes == 0)
            _log.Info("leases of {0} renewed ({1}); heartbeat {2}", _owner, r.Count, _heartbeatFile);
        _status = new Status(r.IssuedAt, r.Count, _status.Successes + 1, _status.Failures, null);
        _renewed(r.IssuedAt);
    }

    private void WriteHeartbeat(DateTimeOffset at)
    {
        File.WriteAllText(_heartbeatTemp, at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(_heartbeatTemp, _heartbeatFile, overwrite: true);
    }
}
