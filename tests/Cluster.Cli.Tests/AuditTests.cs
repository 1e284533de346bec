using System.Net;

namespace Cluster.Cli.Tests;

public class AuditTests
{
    private const string Page = """
        { "events": [
            { "ordering": 7, "at": "2026-11-25T02:10:00+00:00", "type": "domain.stopped", "domain": "web1", "server": "node1",
              "pool": "default", "principal": "alice", "jobId": "j-2", "node": "node1", "summary": "stopped: guest-shutdown", "event": {} },
            { "ordering": 5, "at": "2026-11-25T02:00:00+00:00", "type": "domain.started", "domain": "web1", "server": "node1",
              "pool": "default", "principal": "alice", "jobId": "j-1", "node": "node1", "summary": "started on node1 (pid 42)", "event": {} } ],
          "next": null }
        """;

    [Fact]
    public async Task Audit_without_a_command_lists_events_oldest_first_with_the_filters_sent()
    {
        var api = new StubApi().On("GET", "/audit", HttpStatusCode.OK, Page);

        var (code, stdout, stderr) = await Vmc.RunAsync(api, ["audit", "--domain", "web1", "--by", "alice", "--since", "2h", "--limit", "5"]);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal("?domain=web1&principal=alice&since=2h&limit=5", api.Requests[0].Uri.Query);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("AT ", lines[0]);
        Assert.Contains("started on node1 (pid 42)", lines[1]);
        Assert.Contains("stopped: guest-shutdown", lines[2]);
    }

    [Fact]
    public async Task A_filter_the_node_refuses_is_a_usage_error()
    {
        var api = new StubApi().On("GET", "/audit", HttpStatusCode.BadRequest,
            """{"error": "since '3x' is not a time: use an ISO-8601 time or a time ago like 30m", "field": "since"}""");

        var (code, _, stderr) = await Vmc.RunAsync(api, ["audit", "--since", "3x"]);

        Assert.Equal(2, code);
        Assert.Equal("error: since '3x' is not a time: use an ISO-8601 time or a time ago like 30m\nsee 'vmc help audit'\n", stderr);
    }

    [Fact]
    public async Task Follow_prints_the_streamed_events_after_the_newest_one_shown()
    {
        var stream = "id: 9\nevent: audit\ndata: " + """{"ordering": 9, "at": "2026-11-25T02:20:00Z", "type": "domain.paused", "domain": "web1", "principal": "bob", "summary": "paused"}""" + "\n\n";
        var api = new StubApi()
            .On("GET", "/audit", HttpStatusCode.OK, Page)
            .On("GET", "/audit/stream", HttpStatusCode.OK, stream);

        var (code, stdout, stderr) = await Vmc.RunAsync(api, ["audit", "--follow"]);

        Assert.Contains("paused", stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.Equal("?after=7", api.Requests[1].Uri.Query);
        Assert.Equal(1, code); // the stub ends the stream; a real node keeps it open until Ctrl-C
        Assert.Contains("ended the audit stream", stderr);
    }

    [Fact]
    public async Task Stats_prints_counts_by_type_and_principal()
    {
        var api = new StubApi().On("GET", "/audit/stats", HttpStatusCode.OK, """
            { "since": "2026-11-24T12:00:00Z", "until": null, "total": 3,
              "byType": [ { "key": "domain.started", "count": 2 }, { "key": "domain.stopped", "count": 1 } ],
              "byPrincipal": [ { "key": "alice", "count": 3 } ] }
            """);

        var (code, stdout, _) = await Vmc.RunAsync(api, ["audit", "stats", "--since", "1d"]);

        Assert.Equal(0, code);
        Assert.StartsWith("Events from 2026-11-24T12:00:00.000Z to now: 3\n", stdout);
        Assert.Contains("domain.started  2", stdout);
        Assert.Contains("alice      3", stdout);
    }

    [Fact]
    public async Task Domain_history_is_a_timeline_with_the_servers_and_who()
    {
        var api = new StubApi().On("GET", "/audit", HttpStatusCode.OK, Page);

        var (code, stdout, _) = await Vmc.RunAsync(api, ["domain", "history", "web1"]);

        Assert.Equal(0, code);
        Assert.Equal("?domain=web1", api.Requests[0].Uri.Query);
        Assert.StartsWith("web1: 2 events from 2026-11-25T02:00:00.000Z to 2026-11-25T02:10:00.000Z\n", stdout);
        Assert.Contains("Ran on: node1 (from 2026-11-25T02:00:00.000Z)", stdout);
        Assert.Contains("Who:    alice (2)", stdout);
    }
}
