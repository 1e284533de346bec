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
    [property: JsonPropertyName("event"), JsonConverter(typeof(RawJson))] string Payload)
{
    /// <summary>
    /// Tags for Akka.Persistence.Query's EventsByTag: <c>domain:web1</c>, <c>server:node1</c>, <c>pool:default</c>,
    /// <c>principal:alice</c>, <c>node:node1</c>, <c>job:j-1</c>, <c>type:domain.started</c>; only those the event names.
    /// The projection writes them into the journal's tag table with the row (see AuditStore).
    /// </summary>
    [JsonIgnore]
    public IEnumerable<string> Tags
    {
        get
        {
            yield return "type:" + Type;
            yield return "principal:" + Principal;
            if (Domain is not null) yield return "domain:" + Domain;
            if (Server is not null) yield return "server:" + Server;
            if (Node is not null) yield return "node:" + Node;
            if (Pool is not null) yield return "pool:" + Pool;
            if (JobId is not null) yield return "job:" + JobId;
        }
    }
}
