using System.Text.Json;
using System.Text.RegularExpressions;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests.MultiNode;

/// <summary>`vmc cluster tail` (GET /cluster/events) on a real three-node cluster (simulated VMM).</summary>
public sealed class ClusterTailTests
{
    // Generous: on the shared 2-core machine (load 20 to 30) a vmc process alone can take seconds to start.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Tail_shows_the_members_then_sees_a_member_leave_and_its_removal()
    {
        await using var cluster = await ThreeNodeCluster.StartAsync("simulated");
        var (node1, node3) = (cluster.Node1, cluster.Node3);
        using var tail = Vmc.Start(node1.Api, "cluster", "tail");
        using var json = Vmc.Start(node1.Api, "cluster", "tail", "--json");

        // The current members come first, each as a member-up line: the stream is live.
        foreach (var node in cluster.Nodes)
            await tail.UntilLineAsync(l => Regex.IsMatch(l, Line("member-up", node.Address, "up")), Deadline, $"tail shows {node.Name} up");
        await json.UntilLineAsync(l => l.Contains("\"member-up\"") && l.Contains(node3.Address), Deadline, "tail --json shows node3 up");

        var leave = await Vmc.RunAsync(node1.Api, "cluster", "leave", "-a", node3.Address);
        Assert.True(leave.ExitCode == 0, leave.ToString());
        Assert.Equal($"Leaving {node3.Address}", leave.Out.Trim());

        var leaving = await tail.UntilLineAsync(l => Regex.IsMatch(l, Line("member-leaving", node3.Address, "leaving")), Deadline, "tail shows node3 leaving");
        var removed = await tail.UntilLineAsync(l => Regex.IsMatch(l, Line("member-removed", node3.Address, "removed")), Deadline, "tail shows node3 removed");
        var lines = tail.Lines;
        Assert.True(lines.ToList().IndexOf(leaving) < lines.ToList().IndexOf(removed), string.Join('\n', lines));
        Assert.True(string.CompareOrdinal(leaving[..24], removed[..24]) <= 0, "UTC times in order");

        var removedJson = JsonDocument.Parse(await json.UntilLineAsync(
            l => l.Contains("\"member-removed\"") && l.Contains(node3.Address), Deadline, "tail --json shows node3 removed")).RootElement;
        Assert.Equal("Removed", removedJson.GetProperty("status").GetString());
        Assert.Equal(["server"], removedJson.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var at = removedJson.GetProperty("time").GetDateTime();
        Assert.Equal(DateTimeKind.Utc, at.Kind);
        Assert.InRange(at, DateTime.UtcNow.AddMinutes(-2), DateTime.UtcNow);

        // The tails are still following node1 (they end only on Ctrl-C or when the node ends the stream).
        Assert.Empty(tail.Err);
    }

    /// <summary>cluster tail's line for a member event: TIME | EVENT | ADDRESS | [server] | STATUS.</summary>
    private static string Line(string name, string address, string status) =>
        $@"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z \| {name} \| {Regex.Escape(address)} \| \[server\] \| {status}$";
}
