using System.Net;
using System.Text.Json;

namespace Cluster.Cli.Tests;

/// <summary>The pool palette and the server commands that move servers between pools, against a stub node.</summary>
public class PoolTests
{
    private const string Gpu = """
        { "name": "gpu", "policy": "balance", "ha": false, "cpuThreshold": 70, "memoryThreshold": 90, "sustainSeconds": 300,
          "balancing": true, "servers": ["node2", "node3"], "domains": 4, "groups": ["web"] }
        """;

    private const string Default = """
        { "name": "default", "policy": "best-fit", "ha": true, "cpuThreshold": 80, "memoryThreshold": 90, "sustainSeconds": 60,
          "balancing": false, "servers": ["node1"], "domains": 12, "groups": [] }
        """;

    private static StubApi Api() => new StubApi()
        .On("GET", "/pools", HttpStatusCode.OK, $"[{Default}, {Gpu}]")
        .On("GET", "/pools/gpu", HttpStatusCode.OK, Gpu)
        .On("POST", "/pools", HttpStatusCode.Created, Gpu)
        .On("PATCH", "/pools/gpu", HttpStatusCode.OK, Gpu)
        .On("DELETE", "/pools/gpu", HttpStatusCode.Conflict,
            """{ "error": "pool gpu still has servers node2, node3 and domains web1; move or delete them first", "field": "name" }""")
        .On("PUT", "/servers/node2/pool", HttpStatusCode.OK, """{ "name": "node2", "pool": "gpu" }""")
        .On("DELETE", "/servers/node2/pool", HttpStatusCode.Conflict,
            """{ "error": "server node2 cannot leave pool gpu while domains run on it: web1, web2; migrate or stop them first", "field": "name" }""");

    [Fact]
    public async Task Pool_list_prints_settings_and_members_as_a_table()
    {
        var (code, stdout, stderr) = await Vmc.RunAsync(Api(), ["pool", "list"]);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal(
            """
            NAME     POLICY    HA   BALANCING  CPU  MEMORY  SUSTAIN  SERVERS  DOMAINS
            default  best-fit  on   off        80%  90%     60s      1        12
            gpu      balance   off  on         70%  90%     300s     2        4

            """, stdout);
    }

    [Fact]
    public async Task Pool_create_sends_only_the_settings_given_and_prints_the_pool()
    {
        var api = Api();
        var (code, stdout, _) = await Vmc.RunAsync(api, ["pool", "create", "gpu", "--policy", "balance", "--ha", "off", "--cpu-threshold", "70",
            "--sustain", "5m", "--balancing", "on"]);

        Assert.Equal(0, code);
        var request = Assert.Single(api.Requests);
        Assert.Equal(("POST", "/pools"), (request.Method, request.Uri.AbsolutePath));
        Assert.Equal("""{"policy":"balance","ha":false,"cpuThreshold":70,"sustain":"5m","balancing":true,"name":"gpu"}""", request.Body);
        Assert.Equal(
            """
            Pool gpu created.
            Name:             gpu
            Policy:           balance
            HA:               off
            Balancing:        on
            CPU threshold:    70%
            Memory threshold: 90%
            Sustain:          300s
            Servers:          node2, node3
            Domains:          4
            Groups:           web

            """, stdout);
    }

    [Fact]
    public async Task Pool_set_patches_what_it_names_and_needs_at_least_one_setting()
    {
        var api = Api();
        var (code, stdout, _) = await Vmc.RunAsync(api, ["pool", "set", "gpu", "--memory-threshold", "85"]);
        Assert.Equal(0, code);
        Assert.StartsWith("Pool gpu changed.\n", stdout);
        Assert.Equal(("PATCH", """{"memoryThreshold":85}"""), (api.Requests[0].Method, api.Requests[0].Body));

        var (bare, _, stderr) = await Vmc.RunAsync(api, ["pool", "set", "gpu"]);
        Assert.Equal(2, bare);
        Assert.StartsWith("error: pool set needs at least one setting: --policy, --ha, --cpu-threshold, --memory-threshold, --sustain, --balancing\n", stderr);
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task Pool_show_json_is_the_apis_json()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["pool", "show", "gpu", "--json"]);

        Assert.Equal(0, code);
        Assert.Equal("balance", JsonDocument.Parse(stdout).RootElement.GetProperty("policy").GetString());
    }

    [Fact]
    public async Task Refusals_print_the_nodes_sentence_and_exit_1()
    {
        var (code, stdout, stderr) = await Vmc.RunAsync(Api(), ["pool", "delete", "gpu"]);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("error: pool gpu still has servers node2, node3 and domains web1; move or delete them first\n", stderr);

        (code, _, stderr) = await Vmc.RunAsync(Api(), ["server", "remove-from-pool", "node2"]);
        Assert.Equal(1, code);
        Assert.Equal("error: server node2 cannot leave pool gpu while domains run on it: web1, web2; migrate or stop them first\n", stderr);
    }

    [Fact]
    public async Task Server_add_to_pool_puts_the_pool_and_says_where_the_server_is()
    {
        var api = Api();
        var (code, stdout, _) = await Vmc.RunAsync(api, ["server", "add-to-pool", "node2", "gpu"]);

        Assert.Equal(0, code);
        Assert.Equal("Server node2 is in pool gpu.\n", stdout);
        Assert.Equal(("PUT", "/servers/node2/pool", """{"pool":"gpu"}"""), (api.Requests[0].Method, api.Requests[0].Uri.AbsolutePath, api.Requests[0].Body));
    }

    [Fact]
    public async Task Pools_ha_takes_on_or_off_while_domain_creates_ha_stays_a_flag()
    {
        var api = new StubApi()
            .On("POST", "/domains", HttpStatusCode.Created, """{ "job": """ + Samples.Job("j-1", "create", "web1", "succeeded") + " }")
            .On("POST", "/pools", HttpStatusCode.Created, Gpu);
        Assert.Equal(0, (await Vmc.RunAsync(api, ["domain", "create", "web1", "--ha", "--vcpus", "1", "--memory", "64"])).Code);
        Assert.Equal(0, (await Vmc.RunAsync(api, ["pool", "create", "gpu", "--ha", "off"])).Code);

        Assert.Contains("\"ha\":true", api.Requests[0].Body);
        Assert.Equal("""{"ha":false,"name":"gpu"}""", api.Requests[1].Body);
    }
}
