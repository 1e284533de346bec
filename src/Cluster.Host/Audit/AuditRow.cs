namespace Cluster.Host.Audit;

/// <summary>
/// One row of the audit table: one persisted event. <see cref="Ordering"/> is the journal's global ordering:
/// the projection's offset, the table's key, and the API's paging cursor.
/// </summary>
public sealed record AuditRow(
    long Ordering,
    DateTimeOffset At,
    string Type,
    string? Domain,
    string? Server,
    string? Pool,
    string Principal,
    string? JobId,
    string? Node,
    string PersistenceId,
    long SequenceNr,
    string Summary,
    string Payload);
