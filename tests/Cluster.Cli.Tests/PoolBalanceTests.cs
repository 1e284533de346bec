using System.Net;
using System.Text.Json;

namespace Cluster.Cli.Tests;

/// <summary>vmc pool balance: the plan as a table (or JSON), dry run or not, notes, and the node's refusals.</summary>
public class PoolBalanceTests
{
    private const string Plan = """
        { "pool": "default", "dryRun": true, "executed": false,
          "moves": [ { "domain": "burn1", "from": "node1", "to": "node2", "toAddress": "akka.tcp://vmc@127.0.0.1:4054",
                       "reason": "balance: node1 CPU 93% > 80% for 60 s; node2 CPU 12%" } ],
          "notes": [ "node3 CPU 85% > 80% for 64 s: stays above: web9: no server fits: node2 would be at CPU 75% (limit 70%)" ] }
        """;

    private const string Nothing = """{ "pool": "edge", "dryRun": false, "executed": true, "moves": [], "notes": [] }""";

    [Fact]
    public async Task Dry_run_prints_the_plan_and_asks_for_a_dry_run()
    {
        var api = new StubApi().On("POST", "/pools/default/balance", HttpStatusCode.OK, Plan);

        var (code, stdout, stderr) = await Vmc.RunAsync(api, ["pool", "balance", "default", "--dry-run"]);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal(
            """
            Pool default: would move 1 domain(s) (dry run):
            DOMAIN  FROM   TO     REASON
            burn1   node1  node2  balance: node1 CPU 93% > 80% for 60 s; node2 CPU 12%
            Note: node3 CPU 85% > 80% for 64 s: stays above: web9: no server fits: node2 would be at CPU 75% (limit 70%)

            """, stdout);
        Assert.Equal("?dryRun=true", Assert.Single(api.Requests).Uri.Query);
    }

    [Fact]
    public async Task Without_dry_run_it_balances_now_and_says_when_nothing_moves()
    {
        var api = new StubApi().On("POST", "/pools/edge/balance", HttpStatusCode.OK, Nothing);

        var (code, stdout, _) = await Vmc.RunAsync(api, ["pool", "balance", "edge"]);

        Assert.Equal(0, code);
        Assert.Equal("Pool edge: nothing to move.\n", stdout);
        Assert.Equal("", Assert.Single(api.Requests).Uri.Query);
    }

    [Fact]
    public async Task Json_prints_the_apis_plan()
    {
        var api = new StubApi().On("POST", "/pools/default/balance", HttpStatusCode.OK, Plan);

        var (code, stdout, _) = await Vmc.RunAsync(api, ["pool", "balance", "default", "--dry-run", "--json"]);

        Assert.Equal(0, code);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("burn1", json.GetProperty("moves")[0].GetProperty("domain").GetString());
    }

    [Fact]
    public async Task An_unknown_pool_exits_1_with_the_nodes_sentence()
    {
        var api = new StubApi().On("POST", "/pools/nope/balance", HttpStatusCode.NotFound,
            """{"error": "pool nope has no servers", "field": "name"}""");

        var (code, stdout, stderr) = await Vmc.RunAsync(api, ["pool", "balance", "nope"]);

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("error: pool nope has no servers\n", stderr);
    }
}
