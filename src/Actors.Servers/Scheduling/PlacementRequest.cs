namespace Actors.Servers.Scheduling;

/// <summary>Why the scheduler is asked: each kind is recorded with the decision.</summary>
public enum PlacementKind { Start, Migrate, Failover, Evacuate, Balance }

/// <summary>
/// Where should this domain run? <paramref name="LastServer"/>: where it runs or last ran (a moving domain must
/// leave it; the current-server policy prefers it). <paramref name="Server"/>: the operator's choice, checked like
/// any other. <paramref name="Runs"/> false: the domain is re-homed stopped, so it needs no room and meets no one.
/// </summary>
public sealed record PlacementRequest(PlacementKind Kind, string Domain, string Pool, int Vcpus, int MemoryMiB,
    string? LastServer = null, string? Server = null, bool Runs = true)
{
    /// <summary>Migrations of a running domain: it cannot "move" to where it already is.</summary>
    public bool Moves => Kind is PlacementKind.Migrate or PlacementKind.Evacuate or PlacementKind.Balance;
}

/// <summary>A server that cannot take the domain, and why ("in maintenance", "web2 of group web is there", …).</summary>
public sealed record Rejection(string Server, string Why)
{
    public override string ToString() => $"{Server}: {Why}";
}

/// <summary>
/// The chosen server (null: none) and a sentence for people: why this server ("node2: best fit, 1.2 GiB free"),
/// or why none ("no server in pool default can take web1 …: node1: in maintenance; …").
/// </summary>
public sealed record PlacementResult(ServerCapacity? Server, string Reason, IReadOnlyList<Rejection> Rejected);
