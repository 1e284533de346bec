namespace Actors.Servers.Fencing;

/// <summary>
/// The answer to <see cref="DomainLeaseStore.TryAcquireAsync"/>. Granted: <paramref name="HeldBy"/> is the
/// caller and <paramref name="Until"/> the new expiry. Refused: <paramref name="HeldBy"/> is the owner that holds
/// the lease and <paramref name="Until"/> when its lease expires unless renewed.
/// </summary>
public sealed record LeaseResult(bool Granted, string? HeldBy, DateTimeOffset? Until);

/// <summary>
/// One row of <c>domain_leases</c>. <paramref name="Expired"/> is judged by the database's clock (PostgreSQL) or
/// the store's clock (SQLite) at the time of the read; an expired row is no longer a lease, only a leftover.
/// </summary>
public sealed record DomainLease(string Domain, string Owner, DateTimeOffset ExpiresAt, DateTimeOffset AcquiredAt, bool Expired);
