using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Cluster.Host.Tests.Support;

/// <summary>
/// A real Cluster.Host process on loopback with its own data dir and ports: a single node on its embedded SQLite
/// journal (the defaults), or one server of a multi-node cluster (seeds, a shared PostgreSQL). Disposing kills it,
/// every QEMU it left, and its fencing watchdog, and removes its dir, even when the test failed.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(90);

    /// <summary>Nodes not yet disposed, by API address: how <see cref="Vmc"/> finds the token for an address.</summary>
    private static readonly ConcurrentDictionary<string, NodeProcess> Live = new();

    private readonly StringBuilder _log = new();
    private readonly string? _db;
    private readonly string _vmm;
    private readonly IReadOnlyList<NodeProcess> _seeds;
    private readonly string? _config;
    private readonly ClusterCertFiles? _cert;
    private readonly IReadOnlyList<string> _args;
    private Process? _process;

    /// <param name="name">Server name (<c>--name</c>).</param>
    /// <param name="db">Connection string (<c>--db</c>); null: the embedded SQLite file in its data dir.</param>
    /// <param name="vmm"><c>--vmm</c>: <c>qemu</c> or <c>simulated</c>.</param>
    /// <param name="seeds">Seed nodes (<c>--seed</c>); none: the node seeds itself, i.e. it forms the cluster.</param>
    /// <param name="config">Extra HOCON over akka.hocon (<c>--config</c>); null: none.</param>
    /// <param name="args">More options, as given (e.g. <c>--load-source vmms</c>).</param>
    /// <param name="cert">The cluster certificate (<c>--cluster-cert</c>, TLS remoting); null: plain TCP.</param>
    public NodeProcess(string name = "node1", string? db = null, string vmm = "qemu", IReadOnlyList<NodeProcess>? seeds = null,
        string? config = null, ClusterCertFiles? cert = null, IReadOnlyList<string>? args = null)
    {
        _cert = cert;
        _args = args ?? [];
        Name = name;
        _db = db;
        _vmm = vmm;
        _seeds = seeds ?? [];
        _config = config;
        Root = TestPaths.NewTempDir();
        ApiPort = FreePort();
        ClusterPort = FreePort();
        Live[Api] = this;
    }

    public string Name { get; }
    public string Root { get; }
    public string DataDir => Path.Combine(Root, "data");
    public int ApiPort { get; }
    public int ClusterPort { get; }
    public string Api => $"127.0.0.1:{ApiPort}";
    public string Address => $"{NodeOptions.SchemeFor(_cert is not null)}://vmc@127.0.0.1:{ClusterPort}";
    public bool UsesSqlite => _db is null;
    public int? Pid => _process?.Id;

    /// <summary>True once the host process has ended (killed, or it stopped by itself).</summary>
    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>Everything the node printed, over all its starts.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>
    /// The cluster's admin token, as an operator gets it: from DATA_DIR/admin.token of the node whose first start
    /// created it. On a shared database that is one node of those sharing it; null until it is written.
    /// </summary>
    public string? AdminToken =>
        (_db is null ? [this] : Live.Values.Where(n => n._db == _db))
            .Select(n => Path.Combine(n.DataDir, "admin.token"))
            .Where(File.Exists).Select(f => File.ReadAllText(f).Trim()).FirstOrDefault(t => t.Length > 0);

    /// <summary>The admin token of the node serving <paramref name="api"/>, or null for an address no test node has.</summary>
    public static string? AdminTokenFor(string api) => Live.TryGetValue(api, out var node) ? node.AdminToken : null;

    /// <summary>An HTTP client that sends the cluster's admin token (the node must be ready).</summary>
    public HttpClient AdminHttp(TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{Api}"), Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            AdminToken ?? throw new InvalidOperationException($"no admin token for node {Name} yet"));
        return http;
    }

    /// <summary>Starts a single node (SQLite, seeds itself; QEMU unless told); returns once it is ready.</summary>
    public static async Task<NodeProcess> StartAsync(string name = "node1", string vmm = "qemu")
    {
        var node = new NodeProcess(name, vmm: vmm);
        try
        {
            await node.LaunchAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the host process; returns once it logged <c>node ready</c> for this start and its API lists its server
    /// (with <paramref name="untilReady"/> false: once its API answers, for a node that may never join a cluster).
    /// Throws if the process exits first.
    /// </summary>
    public async Task LaunchAsync(bool untilReady = true)
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException($"node {Name} is already running");
        _process?.Dispose();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        var args = new List<string>
        {
            TestPaths.HostDll, "--name", Name, "--data-dir", DataDir, "--port", ClusterPort.ToString(), "--api", Api, "--vmm", _vmm,
        };
        foreach (var seed in _seeds) args.AddRange(["--seed", $"127.0.0.1:{seed.ClusterPort}"]);
        if (_db is not null) args.AddRange(["--db", _db]);
        if (_cert is not null) args.AddRange(_cert.Args);
        args.AddRange(_args);
        if (_config is not null)
        {
            var file = Path.Combine(Root, "extra.hocon");
            await File.WriteAllTextAsync(file, _config);
            args.AddRange(["--config", file]);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);

        int logStart;
        lock (_log) logStart = _log.Length;
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var ready = $"node ready: server {Name} registered";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Poll.UntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"node {Name} exited with {process.ExitCode}:\n{Log}");
            string log;
            lock (_log) log = _log.ToString(logStart, _log.Length - logStart);
            if (untilReady && !log.Contains(ready, StringComparison.Ordinal)) return "not ready";
            // On a shared database the node that wrote the token may still be starting.
            if (AdminToken is not { } token) return "no admin token yet";
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{Api}/{(untilReady ? "servers" : "cluster/members")}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            try { return await (await http.SendAsync(request)).Content.ReadAsStringAsync(); }
            catch (HttpRequestException) { return ""; }
            catch (TaskCanceledException) { return ""; }
        }, body => untilReady ? body.Contains($"\"name\":\"{Name}\"", StringComparison.Ordinal) : body.Contains("\"members\"", StringComparison.Ordinal),
            ReadyDeadline, $"node {Name} is ready");
    }

    /// <summary>Starts the node again (after a kill, or after it exited) on the same data dir, ports, seeds and database.</summary>
    public Task StartAgainAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException($"node {Name} is still running (pid {_process.Id})");
        return LaunchAsync();
    }

    /// <summary>kill -9 of the node process only: its QEMU children live on (they run in their own session), so does its watchdog.</summary>
    public void KillHard()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: false);
            p.WaitForExit(10_000);
        }
    }

    /// <summary>SIGSTOP of the host process (kill -STOP): frozen, not dead; its VMMs and watchdog keep running.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>SIGCONT of the host process (kill -CONT).</summary>
    public void Thaw() => Signal("CONT");

    /// <summary>Rows in the domain journal of the embedded SQLite file. For PostgreSQL use <see cref="PostgresServer.ScalarAsync{T}"/>.</summary>
    public long JournalRows()
    {
        if (!UsesSqlite)
            throw new InvalidOperationException($"node {Name} keeps its journal in a shared database: count rows with PostgresServer.ScalarAsync");
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDir, "vmc.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM journal";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Pids of live <c>watchdog.sh</c> processes of this node's data dir (found in /proc, not trusted from its pid file).</summary>
    public IReadOnlyList<int> WatchdogPids()
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid)) continue;
            try
            {
                var argv = File.ReadAllText(Path.Combine(entry, "cmdline")).Split('\0');
                var script = Array.FindIndex(argv, a => a.EndsWith("watchdog.sh", StringComparison.Ordinal));
                if (script >= 0 && script + 1 < argv.Length && argv[script + 1].TrimEnd('/') == DataDir) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    public async ValueTask DisposeAsync()
    {
        Live.TryRemove(Api, out _);
        KillHard(); // SIGKILL also ends a frozen (SIGSTOPped) process
        _process?.Dispose();
        await StopWatchdogAsync();
        QemuProcesses.KillAll(Root);
        try
        {
            await Poll.UntilAsync(() => QemuProcesses.All(Root).Count == 0, TimeSpan.FromSeconds(10), $"node {Name}'s QEMU processes are gone");
        }
        finally
        {
            try { Directory.Delete(Root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// On a shared database the host starts a fencing watchdog (ops/watchdog.sh) in its own session that outlives it
    /// and ignores SIGTERM: ask it to exit through its stop file, and SIGKILL whatever is left after 5 s.
    /// </summary>
    private async Task StopWatchdogAsync()
    {
        if (WatchdogPids().Count == 0) return;
        var fencing = Path.Combine(DataDir, "fencing");
        try { await File.WriteAllTextAsync(Path.Combine(fencing, "watchdog.stop"), "test\n"); }
        catch (IOException) { }
        var until = DateTime.UtcNow.AddSeconds(5);
        while (WatchdogPids().Count > 0 && DateTime.UtcNow < until) await Task.Delay(50);
        foreach (var stuck in WatchdogPids())
        {
            try
            {
                using var p = Process.GetProcessById(stuck);
                p.Kill();
                p.WaitForExit(5_000);
            }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
    }

    private void Signal(string signal)
    {
        if (_process is not { HasExited: false } p) throw new InvalidOperationException($"node {Name} is not running");
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, p.Id.ToString()]) { RedirectStandardError = true })!;
        var err = kill.StandardError.ReadToEnd();
        kill.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {p.Id} failed: {err}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    private static int FreePort() => Ports.Free();
}
