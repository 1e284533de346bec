using System.Net;
using System.Text.Json;

namespace Cluster.Cli.Tests;

public class OutputTests
{
    private static StubApi Api() => new StubApi()
        .On("GET", "/cluster/members", HttpStatusCode.OK, Samples.Members)
        .On("GET", "/servers", HttpStatusCode.OK, Samples.Servers)
        .On("GET", "/domains", HttpStatusCode.OK, Samples.Domains)
        .On("GET", "/domains/web1", HttpStatusCode.OK, Samples.Web1)
        .On("GET", "/jobs", HttpStatusCode.OK, "[" + Samples.Job("j-5f3a9c1e", "start", "web1", "failed", "no server has room") + "]")
        .On("GET", "/jobs/j-5f3a9c1e", HttpStatusCode.OK, Samples.Job("j-5f3a9c1e", "start", "web1", "succeeded"));

    [Fact]
    public async Task Cluster_show_prints_pbm_lines_and_count()
    {
        var (code, stdout, stderr) = await Vmc.RunAsync(Api(), ["cluster", "show"]);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal(
            """
            akka.tcp://vmc@127.0.0.1:4053 | [server] | up | reachable | 0.1.0
            akka.tcp://vmc@127.0.0.1:4054 | [server, api] | up | unreachable | 0.1.0
            akka.tcp://vmc@127.0.0.1:4055 | [] | joining | reachable | 0.1.1
            Count: 3 nodes

            """, stdout);
    }

    [Fact]
    public async Task Cluster_status_prints_the_line_of_the_connected_node()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["cluster", "status"]);

        Assert.Equal(0, code);
        Assert.Equal("akka.tcp://vmc@127.0.0.1:4053 | [server] | up | reachable | 0.1.0\n", stdout);
    }

    [Fact]
    public async Task Cluster_leader_prints_the_leader_address()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["cluster", "leader"]);

        Assert.Equal(0, code);
        Assert.Equal("akka.tcp://vmc@127.0.0.1:4053\n", stdout);
    }

    [Fact]
    public async Task Domain_list_prints_an_aligned_table()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["domain", "list"]);

        Assert.Equal(0, code);
        Assert.Equal(
            """
            NAME              STATE    DESIRED  SERVER  VCPUS  MEMORY    PID
            web1              running  running  node1   1      128 MiB   4242
            database-primary  stopped  stopped  -       4      4096 MiB  -

            """, stdout);
    }

    [Fact]
    public async Task Domain_show_prints_key_value_lines()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["domain", "show", "web1"]);

        Assert.Equal(0, code);
        Assert.Equal(
            """
            Name:       web1
            State:      running
            Desired:    running
            Server:     node1
            vCPUs:      1
            Memory:     128 MiB
            Disk 0:     1G /var/lib/vmc/web1/disk0.qcow2
            Disk 1:     1.5G /var/lib/vmc/web1/disk1.qcow2
            Restart:    on-crash
            Kernel:     -
            Initrd:     -
            Cmdline:    -
            PID:        4242
            Last error: -
            Last exit:  guest-shutdown
            Created:    2026-11-25T15:02:00Z
            Updated:    2026-11-25T15:03:00Z

            """, stdout);
    }

    [Fact]
    public async Task Server_list_prints_an_aligned_table()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["server", "list"]);

        Assert.Equal(0, code);
        Assert.Equal(
            """
            NAME        POOL     CPUS  MEMORY     CPU%  MEM%  HYPERVISOR  QEMU    DOMAINS  MAINTENANCE  ADDRESS
            node1       default  2     24000 MiB  93%   41%   tcg         7.2.19  3        off          akka.tcp://vmc@127.0.0.1:4053
            node2-long  edge     16    65536 MiB  -     -     kvm         -       0        on           akka.tcp://vmc@127.0.0.1:4054

            """, stdout);
    }

    [Fact]
    public async Task Server_show_prints_key_value_lines()
    {
        var api = new StubApi().On("GET", "/servers/node1", HttpStatusCode.OK,
            JsonDocument.Parse(Samples.Servers).RootElement[0].GetRawText());

        var (code, stdout, _) = await Vmc.RunAsync(api, ["server", "show", "node1"]);

        Assert.Equal(0, code);
        Assert.StartsWith("Name:        node1\nAddress:     akka.tcp://vmc@127.0.0.1:4053\nPool:        default\n", stdout);
        Assert.Contains("Used memory: 384 MiB\n", stdout);
        Assert.Contains("CPU load:    93%\nMemory load: 41%\nSampled at:  2026-11-25T15:04:00Z\nTop domains: web1 48%, db1 45%\n", stdout);
    }

    [Fact]
    public async Task Server_show_without_a_load_sample_prints_dashes()
    {
        var api = new StubApi().On("GET", "/servers/node2-long", HttpStatusCode.OK,
            JsonDocument.Parse(Samples.Servers).RootElement[1].GetRawText());

        var (code, stdout, _) = await Vmc.RunAsync(api, ["server", "show", "node2-long"]);

        Assert.Equal(0, code);
        Assert.Contains("CPU load:    -\nMemory load: -\nSampled at:  -\nTop domains: -\n", stdout);
    }

    [Fact]
    public async Task Job_list_and_show()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["job", "list"]);
        Assert.Equal(0, code);
        Assert.Equal(
            """
            ID          COMMAND  TARGET  STATUS  PRINCIPAL  CREATED               MESSAGE
            j-5f3a9c1e  start    web1    failed  alice      2026-11-25T15:04:00Z  no server has room

            """, stdout);

        (code, stdout, _) = await Vmc.RunAsync(Api(), ["job", "show", "j-5f3a9c1e"]);
        Assert.Equal(0, code);
        Assert.Contains("Status:    succeeded\n", stdout);
        Assert.Contains("Finished:  2026-11-25T15:04:02Z\n", stdout);
    }

    [Theory]
    [InlineData("domain list", "/domains")]
    [InlineData("domain show web1", "/domains/web1")]
    [InlineData("server list", "/servers")]
    [InlineData("cluster show", "/cluster/members")]
    [InlineData("job list", "/jobs")]
    public async Task Json_switch_passes_the_api_json_through_pretty_printed(string command, string path)
    {
        var api = Api();
        var (code, stdout, _) = await Vmc.RunAsync(api, [.. command.Split(' '), "--json"]);

        Assert.Equal(0, code);
        var raw = await new HttpClient(api) { BaseAddress = new Uri("http://x/") }.GetStringAsync(path.TrimStart('/'));
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(raw).RootElement, JsonDocument.Parse(stdout).RootElement));
        Assert.Contains("\n  ", stdout); // indented
    }

    [Fact]
    public async Task Json_switch_may_come_first()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["--json", "domain", "list"]);

        Assert.Equal(0, code);
        Assert.Equal(2, JsonDocument.Parse(stdout).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Empty_lists_say_so()
    {
        var api = new StubApi().On("GET", "/domains", HttpStatusCode.OK, "[]");
        var (code, stdout, _) = await Vmc.RunAsync(api, ["domain", "list"]);

        Assert.Equal(0, code);
        Assert.Equal("No domains.\n", stdout);
    }
}
