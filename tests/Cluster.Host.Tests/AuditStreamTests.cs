using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cluster.Host.Tests.Support;
using Xunit.Abstractions;

namespace Cluster.Host.Tests;

/// <summary>GET /audit/stream (what `vmc audit --follow` reads) on a real node.</summary>
public sealed class AuditStreamTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_new_event_is_on_the_stream_within_500_ms_of_its_acknowledgement()
    {
        await using var node = new NodeProcess(vmm: "simulated");
        await node.LaunchAsync();
        using var http = node.AdminHttp(Timeout.InfiniteTimeSpan);
        // A first event through the whole path, so that start-up work (JIT, connections) is not what is measured.
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(http, "warm")).StatusCode);
        await Poll.UntilAsync(() => http.GetStringAsync("/audit?domain=warm"), body => body.Contains("domain.created"), Deadline,
            "warm's creation is in the audit");

        using var response = await http.GetAsync("/audit/stream?domain=live", HttpCompletionOption.ResponseHeadersRead);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith(": following", await stream.ReadLineAsync());

        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(http, "live")).StatusCode); // 201: the event is in the journal
        var acknowledged = Stopwatch.StartNew();
        using var give = new CancellationTokenSource(Deadline);
        string? line;
        while ((line = await stream.ReadLineAsync(give.Token)) is not null && !line.StartsWith("data:", StringComparison.Ordinal)) { }
        var latency = acknowledged.Elapsed;

        output.WriteLine($"new event on /audit/stream {latency.TotalMilliseconds:0} ms after its 201");

        Assert.NotNull(line);
        using var data = JsonDocument.Parse(line["data:".Length..]);
        Assert.Equal("domain.created", data.RootElement.GetProperty("type").GetString());
        Assert.Equal("live", data.RootElement.GetProperty("event").GetProperty("name").GetString()); // the event itself, as JSON
        Assert.True(latency < TimeSpan.FromMilliseconds(500), $"the event came {latency.TotalMilliseconds:0} ms after its 201");
    }

    private static Task<HttpResponseMessage> CreateAsync(HttpClient http, string name) =>
        http.PostAsJsonAsync("/domains", new { name, vcpus = 1, memoryMiB = 64 });
}
