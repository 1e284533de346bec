namespace Actors.Domains.Leases;

/// <summary>The answer to a lease request: granted, or who holds it until when.</summary>
public sealed record LeaseGrant(bool Granted, string? HeldBy, DateTimeOffset? Until);

/// <summary>
/// A domain's lease: a server may run a domain's VMM only while it holds the domain's lease (fencing: another
/// server cannot start the domain until the lease has expired, and the watchdog kills the VMMs of a server
/// that stopped renewing before that).
/// </summary>
public interface IDomainLeases
{
    Task<LeaseGrant> TryAcquireAsync(string domain, CancellationToken ct);
    Task ReleaseAsync(string domain, CancellationToken ct);

    /// <summary>
    /// True once this server has fenced itself (the cluster downed it): its domain actors may still run for a
    /// moment, but must neither start VMMs nor write facts any more; the domains' new servers own them.
    /// </summary>
    bool Revoked => false;
}

/// <summary>A single server with its own database: nobody else can run its domains, so every lease is granted.</summary>
public sealed class UnsharedLeases : IDomainLeases
{
    public static readonly UnsharedLeases Instance = new();
    public Task<LeaseGrant> TryAcquireAsync(string domain, CancellationToken ct) => Task.FromResult(new LeaseGrant(true, null, null));
    public Task ReleaseAsync(string domain, CancellationToken ct) => Task.CompletedTask;
}
