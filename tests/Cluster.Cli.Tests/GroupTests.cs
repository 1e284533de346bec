using System.Net;

namespace Cluster.Cli.Tests;

/// <summary>The group palette against a stub node.</summary>
public class GroupTests
{
    private const string Web = """
        { "name": "web", "pool": "default", "domains": [
            { "name": "web1", "server": "node1", "state": "running" },
            { "name": "web2", "server": "node2", "state": "running" },
            { "name": "web3", "server": null, "state": "stopped" } ] }
        """;

    private static StubApi Api() => new StubApi()
        .On("GET", "/groups", HttpStatusCode.OK, $"[{Web}]")
        .On("GET", "/groups/web", HttpStatusCode.OK, Web)
        .On("POST", "/groups", HttpStatusCode.Created, """{ "name": "web", "pool": "default", "domains": [] }""")
        .On("POST", "/groups/web/members", HttpStatusCode.OK, Web)
        .On("DELETE", "/groups/web/members/web3", HttpStatusCode.OK, Web)
        .On("DELETE", "/groups/web/members/web2", HttpStatusCode.OK, Web)
        .On("POST", "/groups/db/members", HttpStatusCode.Conflict,
            """{ "error": "db1 and db2 run on server node1; migrate one of them before they are in group db together", "field": "domains" }""");

    [Fact]
    public async Task Group_show_lists_each_domain_and_where_it_runs()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["group", "show", "web"]);

        Assert.Equal(0, code);
        Assert.Equal(
            """
            Group web (pool default)
            DOMAIN  SERVER  STATE
            web1    node1   running
            web2    node2   running
            web3    -       stopped

            """, stdout);
    }

    [Fact]
    public async Task Group_list_prints_one_line_per_group()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["group", "list"]);

        Assert.Equal(0, code);
        Assert.Equal("NAME  POOL     DOMAINS\nweb   default  web1, web2, web3\n", stdout);
    }

    [Fact]
    public async Task Create_and_add_send_what_the_operator_named()
    {
        var api = Api();
        Assert.Equal(0, (await Vmc.RunAsync(api, ["group", "create", "web", "--pool", "default"])).Code);
        var (code, stdout, _) = await Vmc.RunAsync(api, ["group", "add", "web", "web1", "web2", "web3"]);

        Assert.Equal(0, code);
        Assert.StartsWith("Group web changed (pool default).\n", stdout);
        Assert.Equal("""{"name":"web","pool":"default"}""", api.Requests[0].Body);
        Assert.Equal(("POST", "/groups/web/members", """{"domains":["web1","web2","web3"]}"""),
            (api.Requests[1].Method, api.Requests[1].Uri.AbsolutePath, api.Requests[1].Body));
    }

    [Fact]
    public async Task Remove_takes_each_domain_out()
    {
        var api = Api();
        var (code, _, _) = await Vmc.RunAsync(api, ["group", "remove", "web", "web3", "web2"]);

        Assert.Equal(0, code);
        Assert.Equal(["/groups/web/members/web3", "/groups/web/members/web2"], api.Requests.Select(r => r.Uri.AbsolutePath));
    }

    [Fact]
    public async Task A_conflict_is_the_nodes_sentence_and_usage_errors_reach_no_node()
    {
        var (code, _, stderr) = await Vmc.RunAsync(Api(), ["group", "add", "db", "db1", "db2"]);
        Assert.Equal(1, code);
        Assert.Equal("error: db1 and db2 run on server node1; migrate one of them before they are in group db together\n", stderr);

        var api = Api();
        (code, _, stderr) = await Vmc.RunAsync(api, ["group", "add", "web"]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: missing argument DOMAIN... for 'group add'\n", stderr);
        (code, _, stderr) = await Vmc.RunAsync(api, ["group", "create", "web"]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: missing switch --pool POOL for 'group create'\n", stderr);
        Assert.Empty(api.Requests);
    }
}
