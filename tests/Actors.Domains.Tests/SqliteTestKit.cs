using Akka.Actor;
using Akka.Configuration;
using Actors.Domains.Serialization;
using Microsoft.Data.Sqlite;

namespace Actors.Domains.Tests;

/// <summary>
/// A TestKit whose actor system persists to a real SQLite file (Akka.Persistence.Sql) in a temp dir of its own,
/// removed when the test ends.
/// </summary>
public abstract class SqliteTestKit : Akka.TestKit.Xunit2.TestKit
{
    protected SqliteTestKit() : this(NewTempDir()) { }

    private SqliteTestKit(string tempDir) : base(Config(tempDir))
    {
        TempDir = tempDir;
    }

    protected string TempDir { get; }
    protected string DbPath => Path.Combine(TempDir, "test.db");
    /// <summary>
    /// For the tests' own reads. Not pooled, and so not shared with the journal's pool: a pooled connection that
    /// loaded the schema before the journal created its tables fails with "no such table: journal".
    /// </summary>
    protected string ConnectionString => $"Data Source={DbPath};Pooling=False";

    private static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "actors-domains-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static Config Config(string tempDir)
    {
        var cs = $"Data Source={Path.Combine(tempDir, "test.db")}";
        return ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor.serializers.domain-events = "Actors.Domains.Serialization.DomainEventSerializer, Actors.Domains"
            akka.actor.serializers.server-events = "Actors.Servers.ServerEventSerializer, Actors.Servers"
            akka.actor.serialization-bindings {
              "Actors.Domains.DomainEvents+IDomainEvent, Actors.Domains" = domain-events
              "Actors.Domains.Catalog.CatalogEvents+EntryAdded, Actors.Domains" = domain-events
              "Actors.Domains.Catalog.CatalogEvents+EntryRemoved, Actors.Domains" = domain-events
              "Actors.Servers.ServerEvents+IServerEvent, Actors.Servers" = server-events
              "Actors.Domains.Index.DomainIndexEntry, Actors.Domains" = domain-events
              "Actors.Servers.ServerView, Actors.Servers" = server-events
              "Actors.Servers.Pools.PoolEvents+IPoolEvent, Actors.Servers" = server-events
              "Actors.Servers.Pools.PoolEntry, Actors.Servers" = server-events
              "Actors.Servers.Load.ServerLoad, Actors.Servers" = server-events
            }
            akka.persistence.journal.plugin = "akka.persistence.journal.sql"
            akka.persistence.journal.sql {
              class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
              connection-string = "{{cs}}"
              provider-name = "SQLite.MS"
              auto-initialize = true
            }
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
            akka.persistence.snapshot-store.sql {
              class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
              connection-string = "{{cs}}"
              provider-name = "SQLite.MS"
              auto-initialize = true
            }
            """);
    }

    /// <summary>Rows in the journal table for one persistence id (0 when the table does not exist yet).</summary>
    protected long JournalRows(string persistenceId)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'";
        if ((long)exists.ExecuteScalar()! == 0) return 0;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM journal WHERE persistence_id = $id";
        command.Parameters.AddWithValue("$id", persistenceId);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The events of one persistence id, read straight from the SQLite journal and deserialized.</summary>
    protected IReadOnlyList<object> JournalEvents(string persistenceId)
    {
        var serializer = new DomainEventSerializer((ExtendedActorSystem)Sys);
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT manifest, message FROM journal WHERE persistence_id = $id ORDER BY sequence_number";
        command.Parameters.AddWithValue("$id", persistenceId);
        using var reader = command.ExecuteReader();
        var events = new List<object>();
        while (reader.Read())
            events.Add(serializer.FromBinary((byte[])reader.GetValue(1), reader.GetString(0)));
        return events;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(TempDir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
