using System.Text.Json;
using Cluster.Host.Api;
using Cluster.Host.Audit;

namespace Cluster.Host.Tests;

/// <summary>An audit row as the API writes it: the event is a JSON object named "event", not a quoted string.</summary>
public sealed class AuditRowJsonTests
{
    private static readonly AuditRow Row = new(42, new DateTimeOffset(2026, 11, 25, 2, 0, 0, TimeSpan.Zero), "domain.stopped", "web1",
        "node1", "default", "alice", "j-1", "node1", "domain-web1", 7, "stopped: guest-shutdown",
        """{"name":"web1","reason":"guest-shutdown"}""");

    [Fact]
    public void The_event_is_written_as_the_json_object_it_was_stored_as()
    {
        using var written = JsonDocument.Parse(JsonSerializer.Serialize(Row, ApiResults.Json));
        var root = written.RootElement;
        Assert.Equal(JsonValueKind.Object, root.GetProperty("event").ValueKind);
        Assert.Equal("guest-shutdown", root.GetProperty("event").GetProperty("reason").GetString());
        Assert.Equal(42, root.GetProperty("ordering").GetInt64());
        Assert.False(root.TryGetProperty("payload", out _), "the stored text is shown only as the event");
    }

    [Fact]
    public void A_written_row_reads_back_equal() =>
        Assert.Equal(Row, JsonSerializer.Deserialize<AuditRow>(JsonSerializer.Serialize(Row, ApiResults.Json), ApiResults.Json));
}
