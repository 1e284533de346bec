using System.Text;
using System.Text.Json;
using Akka.Actor;
using Actors.Domains.Serialization;
using Cluster.Host.Persistence;

namespace Cluster.Host.Audit;

/// <summary>One journal row: its payload deserialized, and as JSON text for the audit table.</summary>
public sealed record JournalEvent(long Ordering, string PersistenceId, long SequenceNr, object Event, string Json);

/// <summary>
/// Reads the journal table of Akka.Persistence.Sql directly, in ordering order, and deserializes each payload
/// with the actor system's serialization (the row's serializer id and manifest). The plugin's read journal
/// fetches every event's tags with a sub-select over the whole tag table (1.5.73 with TagTable), far too slow for
/// catching up; the projection needs no tags (AuditFacts reads them off the event). Columns as the plugin
/// creates them on SQLite and PostgreSQL: ordering, persistence_id, sequence_number, message, identifier, manifest.
/// </summary>
public sealed class JournalTail(AuditDatabase db, ActorSystem system)
{
    private const string Page = """
        SELECT ordering, persistence_id, sequence_number, identifier, manifest, message FROM journal
        WHERE ordering > @offset ORDER BY ordering LIMIT @limit
        """;

    private readonly Akka.Serialization.Serialization _serialization = system.Serialization;
    private bool _journalExists;

    /// <summary>Up to <paramref name="limit"/> rows after <paramref name="offset"/>; none while the table does not exist yet.</summary>
    public async Task<IReadOnlyList<JournalEvent>> ReadAsync(long offset, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        if (!_journalExists && !(_journalExists = await db.TableExistsAsync(connection, null, "journal", ct))) return [];
        await using var command = AuditDatabase.Command(connection, null, Page, ("@offset", offset), ("@limit", limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var events = new List<JournalEvent>(limit);
        while (await reader.ReadAsync(ct))
        {
            var ordering = reader.GetInt64(0);
            var (payload, _, bytes, serializerId) = JournalPayload.Read(_serialization, reader, 3, $"ordering {ordering}");
            events.Add(new JournalEvent(ordering, reader.GetString(1), reader.GetInt64(2), payload, Json(bytes, serializerId, payload)));
        }
        return events;
    }

    /// <summary>Persisted events are stored as JSON already (ManifestJsonSerializer): their bytes are the text, not serialized twice.</summary>
    private string Json(byte[] bytes, int serializerId, object payload) =>
        _serialization.FindSerializerForType(payload.GetType()) is ManifestJsonSerializer json && json.Identifier == serializerId
            ? Encoding.UTF8.GetString(bytes)
            : JsonSerializer.Serialize(payload, payload.GetType(), ManifestJsonSerializer.Json);
}
