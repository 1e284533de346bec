using System.Diagnostics;
using System.Text;

namespace NodeBench;

/// <summary>One node host process (Cluster.Host) on loopback, with the simulated VMM; its output kept for errors.</summary>
/// <param name="seeds">Cluster ports of the seed nodes (none: it seeds itself).</param>
/// <param name="db">A shared database's connection string (null: SQLite in its data dir).</param>
public sealed class NodeProcess(string hostDll, string name, string dataDir, int clusterPort, int apiPort, string configFile,
    IReadOnlyList<int> seeds, string? db) : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly Dictionary<string, int> _watched = [];
    private Process? _process;

    public string Name => name;
    public string Api => $"http://127.0.0.1:{apiPort}";
    public string DataDir => dataDir;
    public int Pid => _process?.Id ?? 0;

    /// <summary>Starts the node; returns once it logged `node ready` (throws if it exits first or takes over 5 minutes).</summary>
    public async Task StartAsync()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { hostDll, "--name", name, "--data-dir", dataDir, "--port", clusterPort.ToString(),
                     "--api", $"127.0.0.1:{apiPort}", "--vmm", "simulated", "--config", configFile })
            psi.ArgumentList.Add(a);
        foreach (var seed in seeds) { psi.ArgumentList.Add("--seed"); psi.ArgumentList.Add($"127.0.0.1:{seed}"); }
        if (db is not null) { psi.ArgumentList.Add("--db"); psi.ArgumentList.Add(db); }
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(psi)!;
        void Line(string? line)
        {
            if (line is null) return;
            lock (_log)
            {
                _log.AppendLine(line);
                foreach (var text in _watched.Keys.Where(t => line.Contains(t, StringComparison.Ordinal)).ToList()) _watched[text]++;
            }
            if (line.Contains("node ready", StringComparison.Ordinal)) ready.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"the node exited with {process.ExitCode}:\n{Log}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await ready.Task.WaitAsync(TimeSpan.FromMinutes(5));
    }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Counts from now on the lines of its output that contain <paramref name="text"/> (see <see cref="Lines"/>).</summary>
    public void Watch(string text)
    {
        lock (_log) _watched[text] = 0;
    }

    /// <summary>How many lines containing a watched <paramref name="text"/> it has written since it was watched.</summary>
    public int Lines(string text)
    {
        lock (_log) return _watched[text];
    }

    /// <summary>The node's resident memory now (VmRSS), in bytes.</summary>
    public long Rss()
    {
        if (_process is not { HasExited: false }) throw new InvalidOperationException($"{name} is not running (it exited: see its log below)");
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    /// <summary>SIGTERM (the node shuts down in order), then waits for the exit; SIGKILL after a minute.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } p) return;
        Process.Start("kill", ["-TERM", p.Id.ToString()]).WaitForExit();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try { await p.WaitForExitAsync(deadline.Token); }
        catch (OperationCanceledException) { p.Kill(); await p.WaitForExitAsync(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
        }
        // A node killed (not stopped) leaves its fencing watchdog guarding the data dir (with a shared database): it
        // exits when told so.
        var fencing = Path.Combine(dataDir, "fencing");
        if (Directory.Exists(fencing))
        {
            await File.WriteAllTextAsync(Path.Combine(fencing, "watchdog.stop"), "");
            // It must see the file before the data dir is removed.
            var pidFile = Path.Combine(fencing, "watchdog.pid");
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (File.Exists(pidFile) && Directory.Exists($"/proc/{File.ReadAllText(pidFile).Trim()}") && DateTime.UtcNow < until)
                await Task.Delay(50);
        }
        _process?.Dispose();
        _process = null;
    }
}
