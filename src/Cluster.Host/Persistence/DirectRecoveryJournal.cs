using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Sql.Journal;
using Cluster.Host.Audit;

namespace Cluster.Host.Persistence;

/// <summary>
/// Akka.Persistence.Sql's journal, writing as it does, with a recovery's two reads (highest sequence number, then
/// the events) made as plain SQL on a pooled connection. The plugin builds each read's SQL anew through linq2db and
/// hands the rows through an Akka stream: at a node start, with every domain recovering, that was half the node's
/// CPU (dotnet-trace of ops/bench/node.sh's restart). Same tables, same rows, same deserialization as the plugin
/// (<see cref="JournalTail"/> reads the journal the same way for the audit).
/// </summary>
public sealed class DirectRecoveryJournal : SqlWriteJournal
{
    private const string Highest = """
        SELECT MAX(sequence_number) FROM journal WHERE persistence_id = @pid AND sequence_number >= @from
        """;

    private const string Events = """
        SELECT sequence_number, identifier, manifest, message, writer_uuid, created FROM journal
        WHERE persistence_id = @pid AND sequence_number >= @from AND sequence_number <= @to AND NOT deleted
        ORDER BY sequence_number LIMIT @max
        """;

    private readonly AuditDatabase _db;
    private readonly Akka.Serialization.Serialization _serialization;

    /// <summary>Writes not yet finished, by persistence id: a recovery's highest sequence number waits for them, as the plugin's does.</summary>
    private readonly ConcurrentDictionary<string, Task> _writes = new();

    public DirectRecoveryJournal(Akka.Configuration.Config config) : base(config)
    {
        _db = new AuditDatabase(config.GetString("connection-string"), config.GetString("provider-name") != "SQLite.MS");
        _serialization = Context.System.Serialization;
    }

    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages,
        CancellationToken cancellationToken)
    {
        var batch = messages.ToList();
        var write = base.WriteMessagesAsync(batch, cancellationToken);
        var entry = new KeyValuePair<string, Task>(batch[0].PersistenceId, write);
        _writes[entry.Key] = write;
        write.ContinueWith(_ => _writes.TryRemove(entry), TaskContinuationOptions.ExecuteSynchronously);
        return write;
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr,
        CancellationToken cancellationToken)
    {
        // Whether the write succeeded or failed does not matter here, only that it is over.
        if (_writes.TryGetValue(persistenceId, out var write)) await write.ContinueWith(_ => { }, TaskScheduler.Default);
        // Off the journal actor's thread: Microsoft.Data.Sqlite runs every call synchronously.
        return await Task.Run(async () =>
        {
            await using var connection = await _db.OpenAsync(cancellationToken);
            await using var command = AuditDatabase.Command(connection, null, Highest, ("@pid", persistenceId), ("@from", fromSequenceNr));
            return await command.ExecuteScalarAsync(cancellationToken) is { } max and not DBNull ? Convert.ToInt64(max) : 0L;
        }, cancellationToken);
    }

    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr,
        long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback) =>
        Task.Run(async () =>
        {
            await using var connection = await _db.OpenAsync();
            await using var command = AuditDatabase.Command(connection, null, Events, ("@pid", persistenceId),
                ("@from", fromSequenceNr), ("@to", toSequenceNr), ("@max", max));
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var sequenceNr = reader.GetInt64(0);
                if (reader.IsDBNull(1)) throw new InvalidOperationException($"{persistenceId} event {sequenceNr} has no serializer id");
                var manifest = reader.IsDBNull(2) ? "" : reader.GetString(2);
                var payload = _serialization.Deserialize((byte[])reader.GetValue(3), reader.GetInt32(1), manifest);
                recoveryCallback(new Persistent(payload, sequenceNr, persistenceId, manifest, isDeleted: false,
                    ActorRefs.NoSender, reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5)));
            }
        });
}
