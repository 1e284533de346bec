using System.Net;
using System.Text.Json;

namespace Cluster.Cli.Tests;

/// <summary>The cluster-sharding palette and the membership commands of the cluster palette, against a stub.</summary>
public class ShardingAndMembershipTests
{
    private const string DomainShards = """
        { "type": "domain", "coordinator": "akka.tcp://vmc@127.0.0.1:4053",
          "regions": [
            { "node": "akka.tcp://vmc@127.0.0.1:4053", "shards": [ { "shardId": "web1", "numEntities": 1 }, { "shardId": "web2", "numEntities": 1 } ], "failed": [] },
            { "node": "akka.tcp://vmc@127.0.0.1:4054", "shards": [ { "shardId": "db1", "numEntities": 1 } ], "failed": ["db9"] } ] }
        """;

    private static StubApi Api() => new StubApi()
        .On("GET", "/cluster/members", HttpStatusCode.OK, Samples.Members)
        .On("GET", "/cluster/shards", HttpStatusCode.OK, """{ "types": ["domain", "server"] }""")
        .On("GET", "/cluster/shards/domain", HttpStatusCode.OK, DomainShards)
        .On("PUT", "/cluster/members/akka.tcp%3A%2F%2Fvmc%40127.0.0.1%3A4054", req =>
            (HttpStatusCode.OK, $$"""{ "message": "{{(req.Content!.ReadAsStringAsync().Result.Contains("Down") ? "Downing" : "Joining")}} akka.tcp://vmc@127.0.0.1:4054" }"""))
        .On("DELETE", "/cluster/members/akka.tcp%3A%2F%2Fvmc%40127.0.0.1%3A4053", HttpStatusCode.OK,
            """{ "message": "Leaving akka.tcp://vmc@127.0.0.1:4053" }""");

    [Fact]
    public async Task Regions_lists_the_entity_types()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["cluster-sharding", "regions"]);

        Assert.Equal(0, code);
        Assert.Equal("domain\nserver\n", stdout);
    }

    [Fact]
    public async Task Region_stats_prints_a_line_per_node_and_marks_the_coordinator()
    {
        var api = Api();
        var (code, stdout, _) = await Vmc.RunAsync(api, ["cluster-sharding", "region-stats", "-r", "domain"]);

        Assert.Equal(0, code);
        Assert.Equal("/cluster/shards/domain", api.Requests[0].Uri.AbsolutePath);
        Assert.Equal(
            """
            NODE                                         SHARDS  ENTITIES
            akka.tcp://vmc@127.0.0.1:4053 (coordinator)  2       2
            akka.tcp://vmc@127.0.0.1:4054                1       1
            Total: 3 shards, 3 entities on 2 nodes

            """, stdout);
    }

    [Fact]
    public async Task Shard_stats_prints_a_line_per_shard_and_the_ones_that_did_not_answer()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["cluster-sharding", "shard-stats", "-r", "domain"]);

        Assert.Equal(0, code);
        Assert.Equal(
            """
            SHARD  NODE                           ENTITIES
            db1    akka.tcp://vmc@127.0.0.1:4054  1
            web1   akka.tcp://vmc@127.0.0.1:4053  1
            web2   akka.tcp://vmc@127.0.0.1:4053  1
            db9    akka.tcp://vmc@127.0.0.1:4054  (did not answer)
            Count: 4 shards

            """, stdout);
    }

    [Fact]
    public async Task Region_stats_json_is_the_api_answer()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["cluster-sharding", "region-stats", "-r", "domain", "--json"]);

        Assert.Equal(0, code);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("akka.tcp://vmc@127.0.0.1:4053", root.GetProperty("coordinator").GetString());
        Assert.Equal(2, root.GetProperty("regions").GetArrayLength());
    }

    [Fact]
    public async Task Region_stats_needs_the_region_type()
    {
        var (code, _, stderr) = await Vmc.RunAsync(Api(), ["cluster-sharding", "region-stats"]);

        Assert.Equal(2, code);
        Assert.StartsWith("error: missing switch -r TYPE for 'cluster-sharding region-stats'", stderr);
    }

    [Fact]
    public async Task Down_and_join_put_the_operation_for_the_encoded_address()
    {
        var api = Api();
        var (down, downOut, _) = await Vmc.RunAsync(api, ["cluster", "down", "-a", "akka.tcp://vmc@127.0.0.1:4054"]);
        var (join, joinOut, _) = await Vmc.RunAsync(api, ["cluster", "join", "-a", "akka.tcp://vmc@127.0.0.1:4054"]);

        Assert.Equal((0, 0), (down, join));
        Assert.Equal("Downing akka.tcp://vmc@127.0.0.1:4054\n", downOut);
        Assert.Equal("Joining akka.tcp://vmc@127.0.0.1:4054\n", joinOut);
        Assert.Equal(["""{"operation":"Down"}""", """{"operation":"Join"}"""], api.Requests.Select(r => r.Body));
    }

    [Fact]
    public async Task Leave_without_an_address_leaves_the_connected_node()
    {
        var api = Api();
        var (code, stdout, _) = await Vmc.RunAsync(api, ["cluster", "leave"]);

        Assert.Equal(0, code);
        Assert.Equal("Leaving akka.tcp://vmc@127.0.0.1:4053\n", stdout);
        Assert.Equal("DELETE", api.Requests[^1].Method);
    }

    [Fact]
    public async Task Down_unreachable_downs_each_unreachable_member()
    {
        var api = Api();
        var (code, stdout, _) = await Vmc.RunAsync(api, ["cluster", "down-unreachable"]);

        Assert.Equal(0, code);
        Assert.Equal("Downing akka.tcp://vmc@127.0.0.1:4054\n", stdout);
    }

    [Theory]
    [InlineData("akka.tcp://vmc@127.0.0.1")]
    [InlineData("127.0.0.1")]
    [InlineData("node 2:4053")]
    public async Task A_malformed_address_is_a_usage_error_and_sends_nothing(string address)
    {
        var api = Api();
        var (code, _, stderr) = await Vmc.RunAsync(api, ["cluster", "down", "-a", address]);

        Assert.Equal(2, code);
        Assert.StartsWith($"error: -a '{address}' is not a member address; expected akka.tcp://vmc@HOST:PORT or HOST:PORT", stderr);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Down_needs_an_address()
    {
        var (code, _, stderr) = await Vmc.RunAsync(Api(), ["cluster", "down"]);

        Assert.Equal(2, code);
        Assert.StartsWith("error: missing switch -a ADDRESS for 'cluster down'", stderr);
    }
}
