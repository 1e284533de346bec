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
        foreach (var plugin in Persistence.JournalDataOptions.PluginIds)
        {
            sb.AppendLine($"{plugin}.connection-string = {Quote(db.ConnectionString)}");
            sb.AppendLine($"{plugin}.provider-name = {Quote(db.ProviderName)}");
        }
        sb.AppendLine($"akka.persistence.journal.sql.parallelism = ${{vmc.persistence.{db.Kind}.write-parallelism}}");
        sb.AppendLine($"akka.persistence.max-concurrent-recoveries = ${{vmc.persistence.{db.Kind}.max-concurrent-recoveries}}");
        sb.AppendLine($"akka.cluster.sharding.distributed-data.durable.lmdb.dir = {Quote(Path.Combine(options.DataDir, "ddata"))}");
        sb.AppendLine(Fencing.NodeFencing.KeeperDispatcherHocon);
        if (options.ClusterCert is not null) sb.AppendLine(ClusterTls.Hocon);
        if (options.ConfigFile is { } extra) sb.AppendLine(File.ReadAllText(extra));
        return sb.ToString();
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
