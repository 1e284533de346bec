using System.Diagnostics;
using System.Text;

namespace NodeBench;

/// <summary>One node host process (Cluster.Host) on loopback, with the simulated VMM; its output kept for errors.</summary>
public sealed class NodeProcess(string hostDll, string dataDir, int clusterPort, int apiPort, string configFile) : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    public string Api => $"http://127.0.0.1:{apiPort}";
    public string DataDir => dataDir;
    public int Pid => _process?.Id ?? 0;

    /// <summary>Starts the node; returns once it logged `node ready` (throws if it exits first or takes over 5 minutes).</summary>
    public async Task StartAsync()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { hostDll, "--name", "node1", "--data-dir", dataDir, "--port", clusterPort.ToString(),
                     "--api", $"127.0.0.1:{apiPort}", "--vmm", "simulated", "--config", configFile })
            psi.ArgumentList.Add(a);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(psi)!;
        void Line(string? line)
        {
            if (line is null) return;
            lock (_log) _log.AppendLine(line);
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

    /// <summary>The node's resident memory now (VmRSS), in bytes.</summary>
    public long Rss()
    {
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
        _process?.Dispose();
        _process = null;
    }
}
