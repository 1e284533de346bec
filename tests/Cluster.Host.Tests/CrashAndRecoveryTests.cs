using System.Diagnostics;
using System.Text.Json;
using Cluster.Host.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Cluster.Host.Tests;

/// <summary>Unexpected exits of QEMU, and kill -9 of the node itself.</summary>
public sealed class CrashAndRecoveryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static async Task<int> StartAsync(NodeProcess node, string name, params string[] createArgs)
    {
        var create = await Vmc.RunAsync(node.Api, ["domain", "create", name, "--vcpus", "1", "--memory", "64", .. createArgs]);
        Assert.True(create.ExitCode == 0, create.ToString());
        var start = await Vmc.RunAsync(node.Api, "domain", "start", name, "--wait");
        Assert.True(start.ExitCode == 0, start.ToString());
        return (await Vmc.DomainAsync(node.Api, name)).GetProperty("pid").GetInt32();
    }

    [Fact]
    public async Task Kill_9_of_qemu_is_a_crash_event_within_2_seconds_and_on_crash_restarts_it_once()
    {
        await using var node = await NodeProcess.StartAsync();
        var pid = await StartAsync(node, "web2", "--restart", "on-crash");

        var killedAt = DateTimeOffset.UtcNow;
        Process.GetProcessById(pid).Kill();

        var restarted = await Poll.UntilAsync(() => Vmc.DomainAsync(node.Api, "web2"),
            d => d.GetProperty("state").GetString() == "running" && d.GetProperty("pid").GetInt32() != pid,
            Deadline, "web2 runs again under a new pid");
        var crash = LastEvent(node, "domain.crashed.v1");
        var noticed = crash.GetProperty("meta").GetProperty("at").GetDateTimeOffset() - killedAt;
        Assert.True(noticed < TimeSpan.FromSeconds(2), $"crash noticed after {noticed.TotalMilliseconds:0} ms");
        Assert.True(crash.GetProperty("willRestart").GetBoolean());
        Assert.Contains("signal 9", crash.GetProperty("reason").GetString());
        Assert.Equal([restarted.GetProperty("pid").GetInt32()], QemuProcesses.Of(node.DataDir, "web2"));
    }

    [Fact]
    public async Task Kill_9_of_qemu_under_restart_never_leaves_the_domain_crashed_and_stopped()
    {
        await using var node = await NodeProcess.StartAsync();
        var pid = await StartAsync(node, "once", "--restart", "never");

        Process.GetProcessById(pid).Kill();

        var crashed = await Poll.UntilAsync(() => Vmc.DomainAsync(node.Api, "once"),
            d => d.GetProperty("state").GetString() == "crashed", Deadline, "once is crashed");
        Assert.Equal("stopped", crashed.GetProperty("desiredState").GetString());
        Assert.Empty(QemuProcesses.Of(node.DataDir, "once"));
    }

    [Fact]
    public async Task Kill_9_of_the_node_and_a_restart_keep_every_domain_with_exactly_one_qemu()
    {
        await using var node = await NodeProcess.StartAsync();
        var keep = await StartAsync(node, "keep");
        var paused = await StartAsync(node, "held");
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "pause", "held", "--wait")).ExitCode);
        var lost = await StartAsync(node, "lost");
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "create", "idle", "--vcpus", "1", "--memory", "64")).ExitCode);

        node.KillHard();
        // While the node is down, one VM dies too: it must be started again, the others adopted.
        Process.GetProcessById(lost).Kill();
        await Poll.UntilAsync(() => QemuProcesses.Of(node.DataDir, "lost").Count == 0, Deadline, "lost's QEMU is gone");
        await node.StartAgainAsync();

        var domains = await Poll.UntilAsync(async () => (await Vmc.RunAsync(node.Api, "domain", "list", "--json")).Json,
            list => State(list, "keep") == "running" && State(list, "held") == "paused" && State(list, "lost") == "running"
                    && State(list, "idle") == "stopped",
            Deadline, "every domain is back in its state");

        Assert.Equal(keep, Pid(domains, "keep"));
        Assert.Equal(paused, Pid(domains, "held"));
        Assert.NotEqual(lost, Pid(domains, "lost"));
        Assert.Equal([keep], QemuProcesses.Of(node.DataDir, "keep"));
        Assert.Equal([paused], QemuProcesses.Of(node.DataDir, "held"));
        Assert.Equal([Pid(domains, "lost")!.Value], QemuProcesses.Of(node.DataDir, "lost"));
        Assert.Empty(QemuProcesses.Of(node.DataDir, "idle"));
        Assert.Equal(2, Events(node, "domain.adopted.v1").Count);
        Assert.Single(Events(node, "domain.vmm-lost.v1"));

        // The adopted VMs are under control again.
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "resume", "held", "--wait")).ExitCode);
        Assert.Equal(0, (await Vmc.RunAsync(node.Api, "domain", "kill", "keep", "--wait")).ExitCode);
        Assert.Empty(QemuProcesses.Of(node.DataDir, "keep"));
    }

    private static string? State(JsonElement list, string name) =>
        list.EnumerateArray().FirstOrDefault(d => d.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } d
            ? d.GetProperty("state").GetString()
            : null;

    private static int? Pid(JsonElement list, string name) =>
        list.EnumerateArray().First(d => d.GetProperty("name").GetString() == name).GetProperty("pid") is { ValueKind: JsonValueKind.Number } p
            ? p.GetInt32()
            : null;

    private static JsonElement LastEvent(NodeProcess node, string manifest) => Events(node, manifest)[^1];

    /// <summary>Events of one manifest, read straight from the SQLite journal.</summary>
    private static List<JsonElement> Events(NodeProcess node, string manifest)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(node.DataDir, "vmc.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message FROM journal WHERE manifest = $m ORDER BY ordering";
        command.Parameters.AddWithValue("$m", manifest);
        using var reader = command.ExecuteReader();
        var events = new List<JsonElement>();
        while (reader.Read()) events.Add(JsonDocument.Parse((byte[])reader[0]).RootElement.Clone());
        return events;
    }
}
