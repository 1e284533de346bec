using Akka.Actor;
using Akka.Configuration;
using Cluster.Host.Persistence;

namespace Cluster.Host.Tests.Support;

/// <summary>
/// The node's persistence without the cluster: akka.hocon with what NodeConfig adds for the database, and the
/// plugins' database options (<see cref="JournalDataOptions"/>), on a local actor system.
/// </summary>
public static class LocalJournal
{
    /// <summary>An actor system named "vmc" writing to the node's database for <paramref name="nodeArgs"/> (prepared as the node prepares it).</summary>
    public static ActorSystem Start(params string[] nodeArgs)
    {
        var (options, error) = NodeOptions.Parse(nodeArgs, _ => null);
        if (options is null) throw new ArgumentException(error, nameof(nodeArgs));
        var db = DatabaseSetup.For(options);
        db.Prepare();
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local\nakka.loglevel = WARNING")
            .WithFallback(ConfigurationFactory.ParseString(NodeConfig.Build(options, db)));
        return ActorSystem.Create("vmc", BootstrapSetup.Create().WithConfig(config).And(JournalDataOptions.Setup(db)));
    }

    /// <summary>Runs <paramref name="body"/> with the arguments of a SQLite node whose data dir is new, and removes it after.</summary>
    public static async Task OnSqliteAsync(Func<string[], Task> body)
    {
        var dir = TestPaths.NewTempDir();
        try
        {
            await body(["--name", "node1", "--data-dir", dir]);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Runs <paramref name="body"/> with the arguments of a node on a private PostgreSQL, stopped after.</summary>
    public static async Task OnPostgresAsync(Func<string[], Task> body)
    {
        await using var pg = await PostgresServer.StartAsync();
        await body(["--name", "node1", "--data-dir", Path.Combine(pg.Root, "node"), "--db", pg.ConnectionString]);
    }
}
