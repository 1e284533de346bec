using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Cluster.Host.Tests.Support;

/// <summary>
/// A real Cluster.Host process on loopback with its own data dir and ports. Disposing kills it and every QEMU
/// it left, and removes the data dir, even when the test failed.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    public NodeProcess(string name = "node1")
    {
        Name = name;
        Root = TestPaths.NewTempDir();
        ApiPort = FreePort();
        ClusterPort = FreePort();
    }

    public string Name { get; }
    public string Root { get; }
    public string DataDir => Path.Combine(Root, "data");
    public int ApiPort { get; }
    public int ClusterPort { get; }
    public string Api => $"127.0.0.1:{ApiPort}";
    public int? Pid => _process?.Id;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public static async Task<NodeProcess> StartAsync(string name = "node1")
    {
        var node = new NodeProcess(name);
        await node.StartAgainAsync();
        return node;
    }

    /// <summary>Starts the node (again, after a kill) on the same data dir and ports; returns when its server is registered.</summary>
    public async Task StartAgainAsync()
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        foreach (var a in new[] { TestPaths.HostDll, "--name", Name, "--data-dir", DataDir, "--port", ClusterPort.ToString(), "--api", Api, "--vmm", "qemu" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Poll.UntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"node exited with {process.ExitCode}:\n{Log}");
            try { return await http.GetStringAsync($"http://{Api}/servers"); }
            catch (HttpRequestException) { return ""; }
            catch (TaskCanceledException) { return ""; }
        }, body => body.Contains($"\"name\":\"{Name}\""), TimeSpan.FromSeconds(60), $"node {Name} registers its server");
    }

    /// <summary>kill -9 of the node process only: its QEMU children live on (they run in their own session).</summary>
    public void KillHard()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: false);
            p.WaitForExit(10_000);
        }
    }

    /// <summary>Rows in the domain journal: what "the journal is unchanged" is checked against.</summary>
    public long JournalRows()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDir, "vmc.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM journal";
        return (long)command.ExecuteScalar()!;
    }

    public async ValueTask DisposeAsync()
    {
        KillHard();
        _process?.Dispose();
        QemuProcesses.KillAll(Root);
        await Poll.UntilAsync(() => QemuProcesses.All(Root).Count == 0, TimeSpan.FromSeconds(10), "QEMU processes are gone");
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
