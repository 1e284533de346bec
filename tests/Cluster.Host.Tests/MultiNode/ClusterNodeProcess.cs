using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests.MultiNode;

/// <summary>
/// One real Cluster.Host process of a multi-node cluster on loopback: like <see cref="NodeProcess"/> (which
/// always runs QEMU, seeds itself and uses SQLite), but with a seed, a shared database and the simulated VMM.
/// Disposing kills it and its fencing watchdog and removes its dir, even when the test failed.
/// </summary>
public sealed class ClusterNodeProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly string _db;
    private Process? _process;

    public ClusterNodeProcess(string name, string db)
    {
        Name = name;
        _db = db;
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
    public string Address => $"akka.tcp://vmc@127.0.0.1:{ClusterPort}";

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Starts the node with <paramref name="seed"/> as its seed (itself for the first node); returns once it logged `node ready`.</summary>
    public async Task StartAsync(ClusterNodeProcess seed)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        foreach (var a in new[]
                 {
                     TestPaths.HostDll, "--name", Name, "--data-dir", DataDir, "--port", ClusterPort.ToString(), "--api", Api,
                     "--seed", $"127.0.0.1:{seed.ClusterPort}", "--db", _db, "--vmm", "simulated",
                 })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await Poll.UntilAsync(() =>
        {
            if (process.HasExited) throw new InvalidOperationException($"node {Name} exited with {process.ExitCode}:\n{Log}");
            return Log.Contains($"node ready: server {Name} registered", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), $"node {Name} logs 'node ready'");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: false);
            p.WaitForExit(10_000);
        }
        _process?.Dispose();
        await StopWatchdogAsync();
        QemuProcesses.KillAll(Root);
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>
    /// On a shared database the host starts a fencing watchdog (ops/watchdog.sh) in its own session that outlives
    /// it and ignores SIGTERM: ask it to exit through its stop file, and kill it if it has not within 5 s.
    /// </summary>
    private async Task StopWatchdogAsync()
    {
        var fencing = Path.Combine(DataDir, "fencing");
        var pid = WatchdogPid(fencing);
        if (pid is null) return;
        await File.WriteAllTextAsync(Path.Combine(fencing, "watchdog.stop"), "test\n");
        var until = DateTime.UtcNow.AddSeconds(5);
        while (WatchdogPid(fencing) is not null && DateTime.UtcNow < until) await Task.Delay(50);
        if (WatchdogPid(fencing) is { } stuck)
        {
            try { Process.GetProcessById(stuck).Kill(); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
    }

    /// <summary>The pid in fencing/watchdog.pid if it is a live watchdog.sh of this node's data dir.</summary>
    private int? WatchdogPid(string fencing)
    {
        try
        {
            if (!int.TryParse(File.ReadAllText(Path.Combine(fencing, "watchdog.pid")).Trim(), out var pid)) return null;
            var argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            var script = Array.FindIndex(argv, a => a.EndsWith("watchdog.sh", StringComparison.Ordinal));
            return script >= 0 && script + 1 < argv.Length && argv[script + 1].TrimEnd('/') == DataDir ? pid : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
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
