using Akka.Persistence.Sql.Config;
using LinqToDB;

namespace Cluster.Host.Persistence;

/// <summary>
/// The database options of the node's SQL persistence plugins, given to the actor system as a setup: the same
/// connection as the HOCON names, plus <see cref="YieldBeforeOpen"/>.
/// </summary>
public static class JournalDataOptions
{
    public static readonly IReadOnlyList<string> PluginIds =
    [
        "akka.persistence.journal.sql", "akka.persistence.journal.sharding",
        "akka.persistence.snapshot-store.sql", "akka.persistence.snapshot-store.sharding",
        "akka.persistence.query.journal.sql",
    ];

    public static MultiDataOptionsSetup Setup(DatabaseSetup db)
    {
        var setup = new MultiDataOptionsSetup();
        var options = new DataOptions()
            .UseConnectionString(db.ProviderName, db.ConnectionString)
            .UseInterceptor(YieldBeforeOpen.Instance);
        foreach (var id in PluginIds) setup.AddDataOptions(id, options);
        return setup;
    }
}
