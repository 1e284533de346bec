using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Cluster.Host;
using Cluster.Host.Persistence;

namespace JournalBench;

/// <summary>The two actor-system setups compared: the plugin's defaults, and the node's own.</summary>
public static class JournalConfigs
{
    /// <summary>
    /// Everything the node runs with (akka.hocon plus what NodeConfig adds for the database, and the plugins' database
    /// options), on a local actor system: no cluster is needed to measure the journal.
    /// </summary>
    public static ActorSystemSetup Project(DatabaseSetup db, string dataDir, string? configFile) =>
        BootstrapSetup.Create().WithConfig(ProjectConfig(db, dataDir, configFile)).And(JournalDataOptions.Setup(db));

    private static Config ProjectConfig(DatabaseSetup db, string dataDir, string? configFile) =>
        ConfigurationFactory.ParseString(Local).WithFallback(ConfigurationFactory.ParseString(NodeConfig.Build(Options(dataDir, configFile), db)));

    /// <summary>
    /// The plugin with nothing but what it requires (connection string, provider, table creation), under plugin
    /// ids of their own so that no setting of akka.hocon reaches it; the node's serializers all the same.
    /// </summary>
    public static ActorSystemSetup PluginDefaults(DatabaseSetup db, string dataDir) => ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(
        ConfigurationFactory.ParseString(Local + $$"""
            akka.persistence.journal.plugin = "akka.persistence.journal.bench-default"
            akka.persistence.journal.bench-default {
              class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
              plugin-id = "akka.persistence.journal.bench-default"
              connection-string = {{Quote(db.ConnectionString)}}
              provider-name = {{Quote(db.ProviderName)}}
              auto-initialize = true
            }
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.bench-default"
            akka.persistence.snapshot-store.bench-default {
              class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
              plugin-id = "akka.persistence.snapshot-store.bench-default"
              connection-string = {{Quote(db.ConnectionString)}}
              provider-name = {{Quote(db.ProviderName)}}
              auto-initialize = true
            }
            """).WithFallback(ProjectConfig(db, dataDir, null))));

    /// <summary>
    /// The node's configuration with Akka's in-memory journal and snapshot store: what the domain actors cost without
    /// a database, the ceiling of any journal under them.
    /// </summary>
    public static ActorSystemSetup ActorsOnly(DatabaseSetup db, string dataDir) => ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(
        ConfigurationFactory.ParseString("""
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            """).WithFallback(ProjectConfig(db, dataDir, null))));

    /// <summary>The journal's batch size in the node's configuration (the raw loop writes batches of this size).</summary>
    public static int ProjectBatchSize(DatabaseSetup db, string dataDir, string? configFile) =>
        ProjectConfig(db, dataDir, configFile).GetInt("akka.persistence.journal.sql.batch-size", 100);

    private const string Local = """
        akka.actor.provider = local
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING

        """;

    private static NodeOptions Options(string dataDir, string? configFile)
    {
        string[] args = ["--data-dir", dataDir, "--name", "bench", .. configFile is null ? Array.Empty<string>() : ["--config", configFile]];
        var (options, error) = NodeOptions.Parse(args, _ => null);
        return options ?? throw new InvalidOperationException(error);
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
