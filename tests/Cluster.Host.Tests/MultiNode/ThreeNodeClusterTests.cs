using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Actors.Domains;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests.MultiNode;

/// <summary>Three real nodes (simulated VMM) on one private PostgreSQL, driven by the real vmc.</summary>
public sealed class ThreeNodeClusterTests
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Three_nodes_on_PostgreSQL_form_one_cluster_and_every_node_sees_every_server_and_domain()
    {
        await using var pg = await PostgresServer.StartAsync();
        await using var node1 = new NodeProcess("node1", pg.ConnectionString, vmm: "simulated");
        await using var node2 = new NodeProcess("node2", pg.ConnectionString, vmm: "simulated", seeds: [node1]);
        await using var node3 = new NodeProcess("node3", pg.ConnectionString, vmm: "simulated", seeds: [node1]);
        NodeProcess[] nodes = [node1, node2, node3];

        // node1 forms the cluster (it seeds itself); the others join it.
        await node1.LaunchAsync();
        await Task.WhenAll(node2.LaunchAsync(), node3.LaunchAsync());

        // cluster show, through a node that did not form the cluster: three members, all up and reachable.
        var show = await Poll.UntilAsync(() => Vmc.RunAsync(node3.Api, "cluster", "show"),
            r => r.ExitCode == 0 && r.Out.Contains("Count: 3 nodes") && Regex.Matches(r.Out, @"\| up \| reachable \|").Count == 3,
            Converge, "cluster show lists three members up");
        var lines = show.Out.TrimEnd().Split('\n');
        Assert.Equal(4, lines.Length);
        foreach (var node in nodes)
            Assert.Contains(lines, l => Regex.IsMatch(l, $@"^{Regex.Escape(node.Address)} \| \[server\] \| up \| reachable \| \d+\.\d+\.\d+$"));

        // server list, through every node: each reads the servers registered on the other two.
        foreach (var through in nodes)
        {
            var servers = await Poll.UntilAsync(() => Vmc.RunAsync(through.Api, "server", "list", "--json"),
                r => r.ExitCode == 0 && r.Json.GetArrayLength() == 3, Converge, $"server list through {through.Name} shows three servers");
            Assert.Equal(["node1", "node2", "node3"], servers.Json.EnumerateArray().Select(s => s.GetProperty("name").GetString()!).Order());
            Assert.All(servers.Json.EnumerateArray(), s => Assert.Equal("up", s.GetProperty("status").GetString()));
        }

        // A domain created through node2's API is seen through node3's.
        var create = await Vmc.RunAsync(node2.Api, "domain", "create", "web1", "--vcpus", "1", "--memory", "128", "--disk", "64M");
        Assert.True(create.ExitCode == 0, create.ToString());
        var shown = await Vmc.DomainAsync(node3.Api, "web1");
        Assert.Equal("web1", shown.GetProperty("name").GetString());
        var list = await Vmc.RunAsync(node3.Api, "domain", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("web1", list.Json.EnumerateArray().Select(d => d.GetProperty("name").GetString()));

        // Everything is in the one PostgreSQL: the domain's events and every server's registration.
        Assert.True(await pg.ScalarAsync<long>("SELECT COUNT(*) FROM journal WHERE persistence_id = 'domain-web1'") >= 1,
            "the domain's events are in PostgreSQL's journal table");
        Assert.Equal(3, await pg.ScalarAsync<long>(
            "SELECT COUNT(DISTINCT persistence_id) FROM journal WHERE persistence_id IN ('server-node1', 'server-node2', 'server-node3')"));

        // And the query plugin reads them back from PostgreSQL, through the stable event serializer.
        var events = await EventsThroughQueryPluginAsync(pg, "domain-web1");
        var created = Assert.IsType<DomainEvents.Created>(events[0]);
        Assert.Equal("web1", created.Name);
    }

    /// <summary>Reads one entity's events with Akka.Persistence.Query (SqlReadJournal), configured as a node is.</summary>
    private static async Task<IReadOnlyList<object>> EventsThroughQueryPluginAsync(PostgresServer pg, string persistenceId)
    {
        var (options, error) = NodeOptions.Parse(
            ["--name", "reader", "--data-dir", Path.Combine(pg.Root, "reader"), "--db", pg.ConnectionString], _ => null);
        Assert.True(options is not null, error);
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local\nakka.loglevel = WARNING")
            .WithFallback(ConfigurationFactory.ParseString(NodeConfig.Build(options, DatabaseSetup.For(options))));
        var system = ActorSystem.Create("reader", config);
        try
        {
            var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
            var envelopes = await journal.CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue)
                .RunWith(Sink.Seq<EventEnvelope>(), system.Materializer());
            return [.. envelopes.Select(e => e.Event)];
        }
        finally
        {
            await system.Terminate();
        }
    }
}
