using System.Net;
using System.Text.Json;

namespace Cluster.Cli.Tests;

/// <summary>cluster tail against a stub that sends a few events and ends the stream (a real node keeps it open).</summary>
public class ClusterTailTests
{
    private static string Event(string json) => $"event: cluster\ndata: {json}\n\n";

    private static readonly string Stream = ": following the cluster's membership\n\n"
        + Event("""{"time":"2026-11-25T21:30:01.1234567Z","event":"member-up","node":"akka.ssl.tcp://vmc@127.0.0.1:4053","roles":["server"],"status":"Up"}""")
        + Event("""{"time":"2026-11-25T21:30:01.2Z","event":"leader-changed","node":"akka.ssl.tcp://vmc@127.0.0.1:4053","roles":[],"status":null}""")
        + ": keep-alive\n\n"
        + Event("""{"time":"2026-11-25T21:31:07Z","event":"unreachable","node":"akka.ssl.tcp://vmc@127.0.0.1:4054","roles":["server"],"status":"Up"}""")
        + Event("""{"time":"2026-11-25T21:31:12.5Z","event":"member-removed","node":"akka.ssl.tcp://vmc@127.0.0.1:4054","roles":["server"],"status":"Removed"}""");

    [Fact]
    public async Task Tail_prints_a_line_per_event_with_its_UTC_time_and_says_when_the_node_ends_the_stream()
    {
        var api = new StubApi().On("GET", "/cluster/events", HttpStatusCode.OK, Stream);

        var (code, stdout, stderr) = await Vmc.RunAsync(api, ["cluster", "tail"]);

        Assert.Equal("""
            2026-11-25T21:30:01.123Z | member-up | akka.ssl.tcp://vmc@127.0.0.1:4053 | [server] | up
            2026-11-25T21:30:01.200Z | leader-changed | akka.ssl.tcp://vmc@127.0.0.1:4053
            2026-11-25T21:31:07.000Z | unreachable | akka.ssl.tcp://vmc@127.0.0.1:4054 | [server] | up
            2026-11-25T21:31:12.500Z | member-removed | akka.ssl.tcp://vmc@127.0.0.1:4054 | [server] | removed

            """, stdout);
        Assert.Equal(1, code);
        Assert.Equal("error: the node at 127.0.0.1:9110 ended the cluster event stream\n", stderr);
    }

    [Fact]
    public async Task Tail_with_json_prints_one_object_per_line()
    {
        var api = new StubApi().On("GET", "/cluster/events", HttpStatusCode.OK, Stream);

        var (_, stdout, _) = await Vmc.RunAsync(api, ["cluster", "tail", "--json"]);

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        var removed = JsonDocument.Parse(lines[3]).RootElement;
        Assert.Equal(("member-removed", "akka.ssl.tcp://vmc@127.0.0.1:4054", "Removed"),
            (removed.GetProperty("event").GetString(), removed.GetProperty("node").GetString(), removed.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Tail_ends_with_exit_0_when_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var api = new StubApi().On("GET", "/cluster/events", _ =>
        {
            cancel.Cancel(); // Ctrl-C while the stream is open
            return (HttpStatusCode.OK, Stream);
        });
        var stdout = new StringWriter();
        var code = await new VmcApp(new VmcOptions { Handler = api, GetEnvironment = _ => null, Cancel = cancel.Token })
            .RunAsync(["cluster", "tail"], stdout, new StringWriter());

        Assert.Equal(0, code);
    }
}
