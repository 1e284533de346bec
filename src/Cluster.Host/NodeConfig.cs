using System.Text;

namespace Cluster.Host;

/// <summary>Builds the node's HOCON: akka.hocon, then what the options decide, then an optional --config file.</summary>
public static class NodeConfig
{
    public static string Build(NodeOptions options, DatabaseSetup db)
    {
        var hoconPath = Path.Combine(AppContext.BaseDirectory, "akka.hocon");
        var baseHocon = File.ReadAllText(hoconPath);
        var seeds = options.Seeds.Count > 0 ? options.Seeds : [options.SelfAddress];
        var sb = new StringBuilder(baseHocon).AppendLine();
        sb.AppendLine($"akka.remote.dot-netty.tcp.hostname = {Quote(options.Hostname)}");
        sb.AppendLine($"akka.remote.dot-netty.tcp.port = {options.Port}");
        sb.AppendLine($"akka.cluster.seed-nodes = [{string.Join(", ", seeds.Select(Quote))}]");
        foreach (var plugin in new[]
                 {
                     "akka.persistence.journal.sql", "akka.persistence.journal.sharding",
                     "akka.persistence.snapshot-store.sql", "akka.persistence.snapshot-store.sharding",
                     "akka.persistence.query.journal.sql",
                 })
        {
            sb.AppendLine($"{plugin}.connection-string = {Quote(db.ConnectionString)}");
            sb.AppendLine($"{plugin}.provider-name = {Quote(db.ProviderName)}");
        }
        sb.AppendLine($"akka.cluster.sharding.distributed-data.durable.lmdb.dir = {Quote(Path.Combine(options.DataDir, "ddata"))}");
        if (options.ConfigFile is { } extra) sb.AppendLine(File.ReadAllText(extra));
        return sb.ToString();
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
