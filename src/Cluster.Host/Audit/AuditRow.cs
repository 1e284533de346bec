using System.Text.Json.Serialization;

namespace Cluster.Host.Audit;

/// <summary>
/// One row of the audit table: one persisted event, and also how the API shows it. <see cref="Ordering"/> is the
/// journal's global ordering: the projection's offset, the table's key, and the API's paging cursor.
/// <see cref="Payload"/> is the event's JSON text; the API shows it as the JSON object <c>event</c>.
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
    [property: JsonPropertyName("event"), JsonConverter(typeof(RawJson))] string Payload);
