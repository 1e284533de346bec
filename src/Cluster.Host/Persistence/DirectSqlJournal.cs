using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Sql.Journal;
using Akka.Util;
using Cluster.Host.Audit;

namespace Cluster.Host.Persistence;

/// <summary>
/// Akka.Persistence.Sql's journal (its tables, its rows, its table creation and deletes), with events written and a
/// recovery's two reads (highest sequence number, then the events) made as plain SQL. The plugin builds each
/// statement anew through linq2db and passes rows through Akka streams: ~150 us of CPU per event written on SQLite
/// (ops/bench/journal.sh), and half a node start's CPU in recovery reads (dotnet-trace of ops/bench/node.sh's
/// restart). Events with tags still go through the plugin, which writes their tag rows (the node's events carry
/// none: the audit projection writes their tags). <see cref="JournalTail"/> reads the journal the same way.
/// </summary>
public sealed class DirectSqlJournal : SqlWriteJournal
{
    private const string Highest = """
        SELECT MAX(sequence_number) FROM journal WHERE persistence_id = @pid AND sequence_number >= @from
        """;

    private const string Events = """
        SELECT sequence_number, writer_uuid, created, identifier, manifest, message FROM journal
        WHERE persistence_id = @pid AND sequence_number >= @from AND sequence_number <= @to AND NOT deleted
        ORDER BY sequence_number LIMIT @max
        """;

    private readonly AuditDatabase _db;
    private readonly JournalWriter _writer;
    private readonly Akka.Serialization.Serialization _serialization;

    /// <summary>Writes not yet finished, by persistence id: a recovery's highest sequence number waits for them, as the plugin's does.</summary>
    private readonly ConcurrentDictionary<string, Task> _writes = new();

    public DirectSqlJournal(Akka.Configuration.Config config) : base(config)
    {
        var provider = config.GetString("provider-name");
        _db = AuditDatabase.For(new DatabaseSetup(config.GetString("connection-string"), provider, provider));
        _writer = new JournalWriter(_db, config.GetInt("batch-size"), config.GetInt("parallelism"), config.GetInt("buffer-size"));
        _serialization = Context.System.Serialization;
    }

    protected override void PostStop()
    {
        _writer.Complete();
        base.PostStop();
    }

    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages,
        CancellationToken cancellationToken)
    {
        var batch = messages.ToList();
        var write = batch.Any(Tagged) ? base.WriteMessagesAsync(batch, cancellationToken) : WriteAsync(batch);
        var entry = new KeyValuePair<string, Task>(batch[0].PersistenceId, write);
        _writes[entry.Key] = write;
        write.ContinueWith(_ => _writes.TryRemove(entry), TaskContinuationOptions.ExecuteSynchronously);
        return write;
    }

    private static bool Tagged(AtomicWrite write) =>
        ((IImmutableList<IPersistentRepresentation>)write.Payload).Any(e => e.Payload is Akka.Persistence.Journal.Tagged);

    /// <summary>
    /// Serializes each write's events (a write that cannot be is rejected alone, as the plugin does) and has the
    /// rest written in one transaction. A failed transaction fails every write in it.
    /// </summary>
    private async Task<IImmutableList<Exception>> WriteAsync(List<AtomicWrite> writes)
    {
        var created = DateTime.UtcNow.Ticks;
        var rows = new List<JournalRow>(writes.Count);
        Exception[]? rejected = null;
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                rows.AddRange(((IImmutableList<IPersistentRepresentation>)writes[i].Payload).Select(e => Row(e, created)).ToList());
            }
            catch (Exception e)
            {
                (rejected ??= new Exception[writes.Count])[i] = e;
            }
        }
        if (rows.Count > 0) await _writer.WriteAsync(rows);
        return rejected?.ToImmutableList()!;
    }

    private JournalRow Row(IPersistentRepresentation e, long created)
    {
        var serializer = _serialization.FindSerializerFor(e.Payload);
        var manifest = serializer switch
        {
            Akka.Serialization.SerializerWithStringManifest named => named.Manifest(e.Payload),
            { IncludeManifest: true } => e.Payload.GetType().TypeQualifiedName(),
            _ => "",
        };
        return new JournalRow(e.PersistenceId, e.SequenceNr, e.Timestamp == 0 ? created : e.Timestamp,
            serializer.ToBinary(e.Payload), serializer.Identifier, manifest);
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
                var (payload, manifest, _, _) = JournalPayload.Read(_serialization, reader, 3, $"{persistenceId} #{sequenceNr}");
                recoveryCallback(new Persistent(payload, sequenceNr, persistenceId, manifest, isDeleted: false,
                    ActorRefs.NoSender, reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2)));
            }
        });
}
