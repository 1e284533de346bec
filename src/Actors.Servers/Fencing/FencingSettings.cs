using Akka.Configuration;

namespace Actors.Servers.Fencing;

/// <summary>
/// Timers of lease-based fencing (invariant 1: at most one running VMM per domain).
/// <para>
/// The ordering that makes it safe: <c>RenewInterval</c> (1 s) &lt; <c>WatchdogTimeout</c> (5 s) and
/// <c>WatchdogTimeout</c> + <c>RenewInterval</c> &lt; <c>LeaseTtl</c> (5 s + 1 s &lt; 8 s).
/// Let t be the moment the last successful renewal was issued; <see cref="LeaseKeeper"/> writes t into the
/// heartbeat file once the renewal succeeded (an answer later than <c>RenewInterval</c> counts as no renewal).
/// </para>
/// <list type="number">
/// <item>Every lease of the server then expires no earlier than t + 8 s: the database executes the renewal at a
/// time ≥ t (and a lease acquired later expires later still). Until then no other server can acquire it.</item>
/// <item>If the host dies or freezes (kill -9, SIGSTOP, a hung GC, a lost database) heartbeats stop. The watchdog,
/// a separate process polling every 0.25 s, SIGKILLs the server's VMMs when the stamp is older than 5 s by the wall
/// clock (by t + 5.25 s), or, whatever the wall clock says (it may be stepped back), when the file's content has not
/// changed for 5 s by the monotonic clock: the stamp t reached the file within one renew interval (the renewal's
/// deadline), so by t + 1 s + 0.25 s + 5 s + 0.25 s = t + 6.5 s. This is why WatchdogTimeout + RenewInterval must stay
/// below LeaseTtl.</item>
/// <item>So the VMMs are dead ≥ 1.5 s (usually ≥ 2.75 s) before the leases can pass to another server; the spare
/// covers the kill itself and scheduling delays. Domain actors elsewhere must acquire the lease before starting a
/// VMM, which they cannot do before t + 8 s.</item>
/// <item>A healthy host's heartbeat is at most about 2 × <c>RenewInterval</c> (2 s) old, well below 5 s, so one slow
/// or failed renewal does not fence; about four consecutive failures (a database outage of ~5 s) do, which is
/// right: the leases would soon expire.</item>
/// </list>
/// Leases use the database's clock (PostgreSQL) and the heartbeat the server's own clock: only durations are
/// compared, each on one clock, so skew between servers does not matter.
/// </summary>
public sealed record FencingSettings
{
    public static readonly FencingSettings Default = new();

    /// <summary>How long a lease lasts after its last renewal or acquisition. Default 8 s.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>How often <see cref="LeaseKeeper"/> renews all of this server's leases. Default 1 s.</summary>
    public TimeSpan RenewInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Heartbeat age after which the watchdog kills this server's VMMs. Default 5 s.</summary>
    public TimeSpan WatchdogTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the violated ordering; returns this when valid.</summary>
    public FencingSettings Validate()
    {
        if (RenewInterval <= TimeSpan.Zero || WatchdogTimeout <= TimeSpan.Zero || LeaseTtl <= TimeSpan.Zero)
            throw new ArgumentException(
                $"fencing: lease-ttl ({LeaseTtl}), renew-interval ({RenewInterval}) and watchdog-timeout ({WatchdogTimeout}) must all be positive");
        if (WatchdogTimeout < RenewInterval * 2)
            throw new ArgumentException(
                $"fencing: watchdog-timeout ({WatchdogTimeout.TotalMilliseconds} ms) must be at least 2 x renew-interval " +
                $"({RenewInterval.TotalMilliseconds} ms), or one slow renewal kills the server's VMMs");
        if (WatchdogTimeout + RenewInterval >= LeaseTtl)
            throw new ArgumentException(
                $"fencing: watchdog-timeout ({WatchdogTimeout.TotalMilliseconds} ms) + renew-interval ({RenewInterval.TotalMilliseconds} ms) " +
                $"must be less than lease-ttl ({LeaseTtl.TotalMilliseconds} ms): the watchdog must kill a dead or frozen server's VMMs " +
                "before its leases expire and another server may start the same domains");
        return this;
    }

    /// <summary>
    /// Reads <c>lease-ttl</c>, <c>renew-interval</c> and <c>watchdog-timeout</c> from <paramref name="config"/> (e.g. the
    /// section <c>vmc.fencing</c>); missing keys keep their defaults. The result is validated.
    /// </summary>
    public static FencingSettings FromConfig(Config? config)
    {
        if (config is null || config.IsEmpty) return Default.Validate();
        return new FencingSettings
        {
            LeaseTtl = config.GetTimeSpan("lease-ttl", Default.LeaseTtl),
            RenewInterval = config.GetTimeSpan("renew-interval", Default.RenewInterval),
            WatchdogTimeout = config.GetTimeSpan("watchdog-timeout", Default.WatchdogTimeout),
        }.Validate();
    }
}
