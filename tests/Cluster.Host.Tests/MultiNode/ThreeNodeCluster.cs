using System.Net.Http.Json;
using System.Text.Json;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests.MultiNode;

/// <summary>
/// A private PostgreSQL and three real nodes (node1 forms the cluster, node2 and node3 join it) on loopback.
/// Disposing stops everything (hosts, their QEMU processes and watchdogs, then PostgreSQL), even when a test failed.
/// </summary>
public sealed class ThreeNodeCluster : IAsyncDisposable
{
    public static readonly TimeSpan Converge = TimeSpan.FromSeconds(45);

    private ThreeNodeCluster(PostgresServer pg, string vmm, string? config, IReadOnlyList<string>? args)
    {
        Pg = pg;
        Node1 = new NodeProcess("node1", pg.ConnectionString, vmm, config: config, args: args);
        Node2 = new NodeProcess("node2", pg.ConnectionString, vmm, seeds: [Node1], config: config, args: args);
        Node3 = new NodeProcess("node3", pg.ConnectionString, vmm, seeds: [Node1], config: config, args: args);
    }

    public PostgresServer Pg { get; }
    public NodeProcess Node1 { get; }
    public NodeProcess Node2 { get; }
    public NodeProcess Node3 { get; }
    public IReadOnlyList<NodeProcess> Nodes => [Node1, Node2, Node3];

    public NodeProcess this[string name] => Nodes.Single(n => n.Name == name);

    /// <summary>Starts PostgreSQL and the three nodes; returns once every node sees three servers up.</summary>
    /// <param name="config">Extra HOCON for every node; <paramref name="args"/>: more options for every node.</param>
    public static async Task<ThreeNodeCluster> StartAsync(string vmm = "qemu", string? config = null, IReadOnlyList<string>? args = null)
    {
        var pg = await PostgresServer.StartAsync();
        var cluster = new ThreeNodeCluster(pg, vmm, config, args);
        try
        {
            await cluster.Node1.LaunchAsync();
            await Task.WhenAll(cluster.Node2.LaunchAsync(), cluster.Node3.LaunchAsync());
            await cluster.UntilServersUpAsync(cluster.Nodes);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until each of <paramref name="through"/> lists the three servers, all up (placement only uses servers that are up).</summary>
    public async Task UntilServersUpAsync(IEnumerable<NodeProcess> through)
    {
        foreach (var node in through)
        {
            using var http = node.AdminHttp(TimeSpan.FromSeconds(3));
            await Poll.UntilAsync(async () =>
                {
                    try { return await http.GetFromJsonAsync<JsonElement>("/servers"); }
                    catch (HttpRequestException) { return default; }
                    catch (TaskCanceledException) { return default; }
                    catch (JsonException) { return default; }
                },
                s => s.ValueKind == JsonValueKind.Array && s.GetArrayLength() == 3
                     && s.EnumerateArray().All(x => x.GetProperty("status").GetString() == "up"),
                Converge, $"{node.Name} sees three servers up");
        }
    }

    /// <summary>Live QEMU processes of <paramref name="domain"/> on every node: (server, pid).</summary>
    public IReadOnlyList<(string Server, int Pid)> QemuOf(string domain) =>
        [.. QemuProcesses.Of(Nodes.Select(n => n.DataDir), domain).Select(p => (Nodes.Single(n => n.DataDir == p.DataDir).Name, p.Pid))];

    /// <summary>Every node's log, for the output of a failed test.</summary>
    public string Logs() => string.Join("\n", Nodes.Select(n => $"===== {n.Name} (cluster {n.Address}, data {n.DataDir})\n{n.Log}"));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask()));
        }
        finally
        {
            await Pg.DisposeAsync();
        }
    }
}
