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
    /// Tags for Akka.Persistence.Query's EventsByTag: <c>type:domain.started</c>, <c>domain:web1</c>,
    /// <c>server:node1</c>; only those the event names. The projection writes them into the journal's tag table
    /// with the row (see AuditStore). Who, which job and which node are the event's metadata and the audit table's
    /// columns, not tags, and so is the pool (a domain event names none: the projection infers it; `vmc audit
    /// --pool` reads the column, and no stream asks for a pool's tag): each tag is a row and three index entries
    /// to write, the most of the projection's catch-up time (seven took it from 30,000 events/s to 8,000-13,000).
    /// </summary>
    [JsonIgnore]
    public IEnumerable<string> Tags
    {
        get
        {
            yield return "type:" + Type;
            if (Domain is not null) yield return "domain:" + Domain;
            if (Server is not null) yield return "server:" + Server;
        }
    }
}
