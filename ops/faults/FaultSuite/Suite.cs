using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace FaultSuite;

/// <summary>
/// The fault-injection suite: a 3-node QEMU cluster, M HA domains, an observer of /proc, and rounds of faults
/// (kill9, stop, partition, pg-restart, restart-all). Each round: a few acknowledged requests, the fault, failover timing,
/// restart of the failed node, and a wait until the cluster is whole again; then the acknowledged requests are
/// checked. A round that does not heal within its deadline stops the suite (later rounds would only measure
/// the wreckage); the cluster is always torn down.
/// </summary>
public sealed class Suite : IDisposable
{
    private sealed class Ack
    {
        public required int Round { get; init; }
        public required string Verb { get; init; }
        public required string Domain { get; init; }
        /// <summary>The state the request asked for; null for create (then: the domain must exist).</summary>
        public string? Want { get; init; }
        public required string Node { get; init; }
        public required string Job { get; init; }
        public DateTime At { get; init; } = DateTime.UtcNow;
        public override string ToString() =>
            $"{Verb} {Domain}{(Want is null ? "" : $" (-> {Want})")} via {Node} at {At:HH:mm:ss.fff}, job {Job}";
    }

    private sealed class KindStats
    {
        public int Faults, Unhealed, NoFailover, LostAcks, DoubleRuns, Disrupted, NodeKilledByUs, ProbeRefusals, Collateral;
        public List<double> Failover { get; } = [];
        public List<double> RoundSeconds { get; } = [];
    }

    private readonly Options o;
    private readonly Random rng;
    private readonly List<Node> nodes;
    private readonly Observer obs;
    private readonly Partitioner part;
    private readonly CancellationTokenSource cts = new();
    private readonly StreamWriter logFile;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Dictionary<string, string> env;
    private readonly object logGate = new();
    /// <summary>What each domain should be, by the acknowledged requests: "running" or "stopped".</summary>
    private readonly SortedDictionary<string, string> expected = new(StringComparer.Ordinal);
    private readonly List<Ack> acks = [];
    private readonly Dictionary<string, KindStats> stats = [];
    private readonly List<string> violations = [];
    private int roundsRun, lostAcks, unhealed, evidenceCount;
    /// <summary>Set by HealProblemsAsync: the domains with a problem, and how many problems were cluster-wide.</summary>
    private readonly HashSet<string> problemDomains = [];
    private int clusterProblems;
    /// <summary>Domains left out of later checks after a round could not heal them (so later rounds still test the rest).</summary>
    private readonly SortedDictionary<string, string> quarantined = new(StringComparer.Ordinal);
    private bool setupDone, tornDown;
    private string? partitionSkipped;

    public Suite(Options options)
    {
        o = options;
        rng = new Random(o.Seed);
        nodes = [.. Enumerable.Range(1, o.Nodes).Select(i => new Node(o, i))];
        logFile = new StreamWriter(new FileStream($"{o.StateDir}-suite.log", FileMode.Create, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        obs = new Observer(o.StateDir, Log);
        part = new Partitioner(o, Log);
        env = new()
        {
            ["VMC_CLUSTER_DIR"] = o.StateDir,
            ["VMC_PG_PORT"] = o.PgPort.ToString(CultureInfo.InvariantCulture),
            ["VMC_CLUSTER_PORT_BASE"] = o.ClusterPortBase.ToString(CultureInfo.InvariantCulture),
            ["VMC_API_PORT_BASE"] = o.ApiPortBase.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var k in Options.AllKinds) stats[k] = new KindStats();
    }

    private void Log(string message)
    {
        var line = $"{DateTime.UtcNow:HH:mm:ss.fff} [{clock.Elapsed.TotalSeconds,6:0.0}s] {message}";
        lock (logGate)
        {
            Console.WriteLine(line);
            try { logFile.WriteLine(line); } catch (ObjectDisposedException) { }
        }
    }

    private void Violation(string what)
    {
        lock (violations) violations.Add(what);
        Log($"VIOLATION: {what}");
    }

    public async Task<int> RunAsync()
    {
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            if (cts.IsCancellationRequested) return;
            Log("interrupted (SIGINT): stopping, then tearing the cluster down");
            cts.Cancel();
        };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            Log("SIGTERM: stopping, then tearing the cluster down");
            cts.Cancel();
        });
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; cts.Cancel(); });
        var ct = cts.Token;
        var plan = o.Plan(rng);
        Log($"fault suite: {o.Rounds} round(s) [{string.Join(", ", plan)}], {o.Domains} HA domains, seed {o.Seed}, " +
            $"state {o.StateDir}, PostgreSQL 127.0.0.1:{o.PgPort}, cluster ports {o.ClusterPortBase}+, API ports {o.ApiPortBase}+; log {o.StateDir}-suite.log");
        string? aborted = null;
        var setupWatch = Stopwatch.StartNew();
        try
        {
            if (plan.Contains("partition") && part.Check() is { } why)
            {
                partitionSkipped = why;
                Log($"partition rounds are skipped: {why}");
                plan = [.. plan.Select(k => k == "partition" ? "kill9" : k)];
            }
            await SetupAsync(ct);
            setupDone = true;
            Log($"setup done in {setupWatch.Elapsed.TotalSeconds:0} s");
            for (var r = 1; r <= plan.Count; r++)
            {
                if (r > 1 && !await WholeBeforeRoundAsync(r, plan[r - 2], ct))
                {
                    aborted = $"the cluster was not whole before round {r}: the suite stops here";
                    Log(aborted);
                    break;
                }
                var healed = await RoundAsync(r, plan[r - 1], ct);
                roundsRun = r;
                if (!healed)
                {
                    aborted = $"round {r} ({plan[r - 1]}) did not heal: the suite stops here";
                    Log(aborted);
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            aborted = "interrupted";
        }
        catch (Exception e)
        {
            aborted = setupDone ? $"suite error: {e.Message}" : $"setup failed: {e.Message}";
            Log($"{aborted}\n{e}");
            if (setupDone) Evidence("suite-error");
        }
        finally
        {
            Teardown();
        }
        return Summary(aborted);
    }

    // ------------------------------------------------------------------------------------------------ setup

    private string Cluster(params string[] args) => $"{o.Repo}/ops/cluster.sh {string.Join(' ', args)}";

    private async Task SetupAsync(CancellationToken ct)
    {
        CleanPrevious();
        Directory.CreateDirectory(o.StateDir);
        File.WriteAllText($"{o.StateDir}/.vmc-faults", "state dir of ops/faults/run.sh\n");
        Log($"starting the cluster: {Cluster("up", o.Nodes.ToString(CultureInfo.InvariantCulture), "--vmm", "qemu")}");
        var upWatch = Stopwatch.StartNew();
        var (code, _) = await Task.Run(() => Sys.Run($"{o.Repo}/ops/cluster.sh", ["up", o.Nodes.ToString(CultureInfo.InvariantCulture), "--vmm", "qemu"],
            env, TimeSpan.FromSeconds(600), Log, o.Repo), ct);
        ct.ThrowIfCancellationRequested();
        if (code != 0) throw new InvalidOperationException($"ops/cluster.sh up failed (exit code {code})");
        Log($"cluster up in {upWatch.Elapsed.TotalSeconds:0} s");
        // cluster.sh starts node1 alone first, so its first start is the one that wrote the cluster's admin token.
        Api.Token = File.ReadAllText($"{nodes[0].DataDir}/admin.token").Trim();
        foreach (var n in nodes)
        {
            var pid = n.Pid ?? throw new InvalidOperationException($"{n.Name} is not running after `up`");
            n.Argv = Sys.Cmdline(pid);
            if (n.Argv.Length < 2) throw new InvalidOperationException($"could not read {n.Name}'s command line");
        }
        Log($"node command line (node1): {string.Join(' ', nodes[0].Argv)}");
        var (_, servers) = (await Api.SendAsync(nodes[0].ApiPort, HttpMethod.Get, "/servers", null, TimeSpan.FromSeconds(15), ct)) is var sr && sr.Json is { ValueKind: System.Text.Json.JsonValueKind.Array } arr
            ? (sr, arr.EnumerateArray().Select(e => e.TryGetProperty("cpus", out var c) ? c.GetInt32() : 0).ToList())
            : (sr, new List<int>());
        if (servers.Count > 0)
        {
            // Placement allows 8 vCPUs per host CPU (src/Actors.Servers/Scheduling/Placement.cs).
            var survivors = servers.Order().Take(servers.Count - 1).Sum() * 8;
            Log($"capacity: {servers.Count} servers with {string.Join('/', servers)} CPUs; the two smallest hold {survivors} 1-vCPU domains");
            if (o.Domains > survivors)
                Log($"WARNING: {o.Domains} domains do not fit on {servers.Count - 1} servers: failover of a whole server cannot succeed");
        }
        obs.Start();

        var createWatch = Stopwatch.StartNew();
        for (var i = 1; i <= o.Domains; i++)
        {
            var name = $"fd-{i:00}";
            var via = nodes[(i - 1) % nodes.Count];
            var server = nodes[(i - 1) % nodes.Count].Name;
            var c = await RetryAsync(() => Api.SendAsync(via.ApiPort, HttpMethod.Post, "/domains",
                new { name, vcpus = 1, memoryMiB = 64, ha = true }, TimeSpan.FromSeconds(30), ct), ct);
            if (!c.Ok) throw new InvalidOperationException($"create {name} via {via.Name}: {c}");
            var s = await RetryAsync(() => Api.SendAsync(via.ApiPort, HttpMethod.Post, $"/domains/{name}/start?server={server}",
                null, TimeSpan.FromSeconds(30), ct), ct);
            if (!s.Ok) throw new InvalidOperationException($"start {name} on {server}: {s}");
            expected[name] = "running";
        }
        Log($"{o.Domains} domains created and started (requests took {createWatch.Elapsed.TotalSeconds:0.0} s); waiting until all run");
        var deadline = DateTime.UtcNow.AddSeconds(300);
        List<string> problems = [];
        while (DateTime.UtcNow < deadline)
        {
            problems = await HealProblemsAsync(ct);
            if (problems.Count == 0) break;
            await Task.Delay(1000, ct);
        }
        if (problems.Count > 0)
            throw new InvalidOperationException($"the domains did not all run within 300 s: {string.Join("; ", problems.Take(10))}");
        var snap = obs.Latest;
        Log($"all {o.Domains} domains run ({createWatch.Elapsed.TotalSeconds:0.0} s after the first create); per server: " +
            string.Join(", ", nodes.Select(n => $"{n.Name} {snap.ByDomain.Values.Count(l => l.Any(q => q.Node == n.Name))}")));
    }

    /// <summary>Retries a request the cluster answers with "not yet" (no answer, 503).</summary>
    private static async Task<Reply> RetryAsync(Func<Task<Reply>> send, CancellationToken ct)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var r = await send();
            if (r.Ok || (r.Status != 0 && r.Status != 503) || DateTime.UtcNow > until) return r;
            await Task.Delay(1000, ct);
        }
    }

    /// <summary>Stops and removes what an earlier run left in our state dir (only a dir this suite made).</summary>
    private void CleanPrevious()
    {
        part.Remove(nodes);
        if (!Directory.Exists(o.StateDir)) return;
        var ours = File.Exists($"{o.StateDir}/.vmc-faults");
        var looksLikeCluster = Directory.Exists($"{o.StateDir}/pg") || Directory.EnumerateFiles(o.StateDir, "node*.env").Any();
        if (!ours && (looksLikeCluster || Directory.EnumerateFileSystemEntries(o.StateDir).Any()))
            throw new InvalidOperationException($"{o.StateDir} exists and was not made by this suite (no .vmc-faults marker); choose another VMC_FAULTS_DIR or remove it");
        if (looksLikeCluster)
        {
            Log($"stopping what an earlier run left in {o.StateDir}");
            Sys.Run($"{o.Repo}/ops/cluster.sh", ["down"], env, TimeSpan.FromSeconds(180), Log, o.Repo);
        }
        KillLeftovers();
        Directory.Delete(o.StateDir, recursive: true);
    }

    // ------------------------------------------------------------------------------------------------ rounds

    private async Task<bool> RoundAsync(int r, string kind, CancellationToken ct)
    {
        var st = stats[kind];
        st.Faults++;
        // pg-restart and restart-all have no victim: every running domain may be disrupted, and must run again.
        var victim = kind is "pg-restart" or "restart-all" ? null : PickVictim(ct);
        var label = $"round {r} {kind}";
        obs.CurrentRound = label;
        var episodesBefore = obs.Episodes.Count;
        Log($"==== round {r}/{o.Rounds}: {kind}{(victim is null ? "" : $" on {victim.Name} (pid {victim.Pid})")}");

        // A few acknowledged requests, sent to the node about to fail (ack, then crash), or to any node for pg-restart.
        var roundAcks = await RequestsAsync(r, kind, victim ?? nodes[rng.Next(nodes.Count)], ct);

        // Which HA domains run on the victim right now (per /proc), and the VMM pids before the fault.
        var before = obs.Fresh(ct);
        var running = expected.Where(e => e.Value == "running").Select(e => e.Key).ToList();
        var affected = victim is null
            ? running.Where(d => before.Of(d).Count == 1).ToList()
            : running.Where(d => before.Of(d).Any(q => q.Node == victim.Name)).ToList();
        var prePids = affected.ToDictionary(d => d, d => before.Of(d).Select(q => q.Pid).ToHashSet());
        Log($"{affected.Count} HA domain(s) {(victim is null ? "running" : $"on {victim.Name}")}: {string.Join(' ', affected)}");

        // The fault.
        var t0 = DateTime.UtcNow;
        var frozenPid = 0;
        var restartedByFault = new List<Node>();
        switch (kind)
        {
            case "kill9":
            {
                var pid = victim!.Pid ?? throw new InvalidOperationException($"{victim.Name} is not running");
                Sys.Signal(pid, Sys.SIGKILL);
                Log($"FAULT: kill -9 {victim.Name} (pid {pid})");
                break;
            }
            case "stop":
            {
                frozenPid = victim!.Pid ?? throw new InvalidOperationException($"{victim.Name} is not running");
                Sys.Signal(frozenPid, Sys.SIGSTOP);
                Log($"FAULT: SIGSTOP {victim.Name} (pid {frozenPid}) for {o.FaultSeconds} s");
                break;
            }
            case "partition":
            {
                if (!part.Cut(victim!, nodes)) throw new InvalidOperationException("could not install the partition rules");
                Log($"FAULT: partition: {victim!.Name}'s cluster traffic (port {victim.ClusterPort}) dropped on lo for {o.FaultSeconds} s");
                break;
            }
            case "pg-restart":
            {
                Log("FAULT: PostgreSQL restart (ops/pg.sh stop, then start)");
                var w = Stopwatch.StartNew();
                await Task.Run(() => Sys.Run($"{o.Repo}/ops/pg.sh", ["stop", $"{o.StateDir}/pg"], null, TimeSpan.FromSeconds(90), Log, o.Repo), ct);
                var down = w.Elapsed.TotalSeconds;
                var (code, _) = await Task.Run(() => Sys.Run($"{o.Repo}/ops/pg.sh", ["start", $"{o.StateDir}/pg", o.PgPort.ToString(CultureInfo.InvariantCulture)],
                    null, TimeSpan.FromSeconds(120), Log, o.Repo), ct);
                Log($"PostgreSQL {(code == 0 ? "restarted" : $"did NOT restart (exit code {code})")}: stop took {down:0.0} s, down ~{w.Elapsed.TotalSeconds:0.0} s");
                break;
            }
            case "restart-all":
            {
                // A planned restart of the whole control plane: SIGTERM to every node at once (as systemd on every
                // host), then every node started again, node1 first as `cluster.sh up` does.
                Log("FAULT: restart of every node (SIGTERM to all at once, then all started again)");
                foreach (var n in nodes) if (n.Pid is { } pid) Sys.Signal(pid, Sys.SIGTERM);
                var w = Stopwatch.StartNew();
                while (nodes.Any(n => n.Pid is not null) && w.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(100, ct);
                foreach (var n in nodes.Where(n => n.Pid is not null))
                {
                    Violation($"{label}: {n.Name} did not exit within 60 s of SIGTERM; killed -9 by the suite");
                    Sys.Signal(n.Pid!.Value, Sys.SIGKILL);
                }
                Log($"every node stopped after {w.Elapsed.TotalSeconds:0.0} s; starting them again");
                foreach (var n in nodes)
                {
                    RestartNode(n);
                    restartedByFault.Add(n);
                }
                break;
            }
        }

        // Watch: failover of the affected domains, release of the fault, restart of the victim, healing.
        var done = new Dictionary<string, double>();
        var disrupted = new HashSet<string>();
        var released = kind is "kill9" or "pg-restart" or "restart-all";
        var releasedAt = t0;
        var forcedKill = false;
        var goneAt = new Dictionary<Node, DateTime>();
        var restartedAt = restartedByFault.ToDictionary(n => n, _ => DateTime.UtcNow);
        var readyAt = new Dictionary<Node, DateTime>();
        var collateral = new List<string>();
        var deadline = t0.AddSeconds(o.HealSeconds);
        var nextHeal = DateTime.MinValue;
        var nextStatus = t0.AddSeconds(10);
        List<string> problems = ["not checked yet"];
        var healed = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var now = DateTime.UtcNow;
            var el = (now - t0).TotalSeconds;
            if (!released && el >= o.FaultSeconds)
            {
                if (kind == "stop")
                {
                    Sys.Signal(frozenPid, Sys.SIGCONT);
                    Log($"SIGCONT {victim!.Name} (pid {frozenPid}) after {el:0.0} s");
                }
                else
                {
                    part.Heal();
                    Log($"partition removed after {el:0.0} s");
                }
                released = true;
                releasedAt = now;
            }

            // Failover: the domain runs again, on another server, with exactly one VMM (per /proc and per the API).
            var snap = obs.Latest;
            foreach (var d in affected)
            {
                if (done.ContainsKey(d)) continue;
                var procs = snap.Of(d);
                if (victim is null)
                {
                    if (!disrupted.Contains(d) && (procs.Count != 1 || !prePids[d].Contains(procs[0].Pid)))
                    {
                        disrupted.Add(d);
                        Log($"{kind}: {d} lost its VMM {string.Join(',', prePids[d])} at +{el:0.0} s; now {Observer.Describe(procs)}");
                    }
                    if (!disrupted.Contains(d)) continue;
                }
                if (procs.Count != 1 || procs[0].Node is null) continue;
                if (victim is not null && procs[0].Node == victim.Name) continue;
                var runner = nodes.First(n => n.Name == procs[0].Node);
                var (_, info) = await Api.GetDomainAsync(runner.ApiPort, d, TimeSpan.FromSeconds(3), ct);
                if (info is { State: "running" } && info.Server == runner.Name && obs.Latest.Of(d).Count == 1)
                {
                    var secs = (DateTime.UtcNow - t0).TotalSeconds;
                    done[d] = secs;
                    Log($"{(victim is null ? "recovered" : "failed over")}: {d} runs on {runner.Name} (pid {procs[0].Pid}) {secs:0.0} s after the fault");
                }
            }

            // Nodes: the victim is restarted once its domains failed over (kill9) or once it is gone (stop, partition);
            // any other node that went away (downed as collateral damage) is restarted once the fault is released.
            foreach (var n in nodes)
            {
                if (restartedAt.TryGetValue(n, out var restarted))
                {
                    // Downed again before it was whole (a restarted node's link to one peer failed, and SBR downed both
                    // as indirectly connected): start it once more.
                    if (n.Pid is not null || now - restarted < TimeSpan.FromSeconds(5)) continue;
                    if (n != victim && !collateral.Contains(n.Name)) collateral.Add(n.Name);
                    Log($"{n.Name} went down again {(now - restarted).TotalSeconds:0.0} s after its restart; restarting it again");
                    readyAt.Remove(n);
                    RestartNode(n);
                    restartedAt[n] = now;
                    continue;
                }
                var pid = n.Pid;
                if (pid is null && !goneAt.ContainsKey(n))
                {
                    goneAt[n] = now;
                    if (n == victim) Log($"{n.Name} is gone, {el:0.0} s after the fault");
                    else
                    {
                        collateral.Add(n.Name);
                        Log($"COLLATERAL: {n.Name} (not the victim) is gone, {el:0.0} s after the fault; its log: {n.LogFile}");
                    }
                }
                var restartNow = false;
                if (n == victim && kind == "kill9")
                {
                    if (affected.All(done.ContainsKey)) restartNow = true;
                    else if (el >= Math.Min(90, o.HealSeconds / 2))
                    {
                        restartNow = true;
                        Log($"{affected.Count(d => !done.ContainsKey(d))} domain(s) not failed over {el:0} s after kill -9: restarting {n.Name} anyway");
                    }
                }
                else if (n == victim && released)
                {
                    if (pid is null) restartNow = true;
                    else if ((now - releasedAt).TotalSeconds >= 60)
                    {
                        forcedKill = true;
                        Violation($"{label}: {n.Name} (pid {pid}) still alive 60 s after {(kind == "stop" ? "SIGCONT" : "the partition healed")}: it should have found itself downed and exited; killed -9 by the suite");
                        Evidence($"round{r}-{kind}-node-did-not-exit");
                        Sys.Signal(pid.Value, Sys.SIGKILL);
                        for (var i = 0; i < 50 && n.Pid is not null; i++) await Task.Delay(100, ct);
                        restartNow = true;
                    }
                }
                else if (n != victim && pid is null && released && (victim is null || kind != "kill9" || restartedAt.ContainsKey(victim)))
                    restartNow = true;
                if (restartNow)
                {
                    RestartNode(n);
                    restartedAt[n] = now;
                }
            }
            foreach (var n in restartedAt.Keys)
            {
                if (readyAt.ContainsKey(n) || !n.Ready()) continue;
                readyAt[n] = now;
                Log($"{n.Name} is ready again, {(now - t0).TotalSeconds:0.0} s after the fault");
            }
            var ready = (victim is null || restartedAt.ContainsKey(victim)) && restartedAt.Keys.All(readyAt.ContainsKey)
                        && nodes.All(n => n.Pid is not null);

            // Whole again?
            if (ready && now >= nextHeal)
            {
                problems = await HealProblemsAsync(ct);
                if (problems.Count == 0) { healed = true; break; }
                nextHeal = DateTime.UtcNow.AddSeconds(1);
            }
            if (now >= nextStatus)
            {
                Log($"+{el:0}s: {done.Count}/{affected.Count} {(victim is null ? "recovered" : "failed over")}; " +
                    $"{string.Join(", ", nodes.Select(n => $"{n.Name} {(readyAt.ContainsKey(n) ? "ready again" : restartedAt.ContainsKey(n) ? "restarting" : goneAt.ContainsKey(n) ? "gone" : n.Pid is null ? "down" : n == victim ? (kind == "stop" && !released ? "frozen" : "alive") : "up")}"))}; " +
                    $"open problems: {string.Join("; ", problems.Take(4))}{(problems.Count > 4 ? $" (+{problems.Count - 4})" : "")}");
                nextStatus = now.AddSeconds(10);
            }
            if (now >= deadline) break;
            await Task.Delay(200, ct);
        }
        var roundSeconds = (DateTime.UtcNow - t0).TotalSeconds;
        st.RoundSeconds.Add(roundSeconds);
        st.Collateral += collateral.Count;
        if (collateral.Count > 0) Evidence($"round{r}-{kind}-collateral");
        if (forcedKill) st.NodeKilledByUs++;

        // Failover figures.
        foreach (var d in affected)
        {
            if (done.TryGetValue(d, out var secs)) st.Failover.Add(secs);
            else if (victim is not null)
            {
                st.NoFailover++;
                Log($"{d} did not fail over: it runs again only on {victim.Name} after its restart (or not at all)");
            }
        }
        if (victim is null) st.Disrupted += disrupted.Count;

        var goOn = healed;
        if (!healed)
        {
            unhealed++;
            st.Unhealed++;
            Violation($"{label}: not healed within {o.HealSeconds} s: {string.Join("; ", problems.Take(20))}");
        }
        else if (forcedKill)
        {
            unhealed++;
            st.Unhealed++;
        }

        // Every acknowledged request of this round must be reflected.
        var lost = await VerifyAcksAsync(roundAcks, ct);
        st.LostAcks += lost;
        lostAcks += lost;

        var episodes = obs.Episodes.Skip(episodesBefore).ToList();
        st.DoubleRuns += episodes.Count;
        foreach (var ep in episodes) Violation($"{label}: DOUBLE-RUN {ep}");
        if (!healed || lost > 0 || episodes.Count > 0) Evidence($"round{r}-{kind}");

        var f = affected.Where(done.ContainsKey).Select(d => done[d]).Order().ToList();
        Log($"==== round {r} {kind}{(victim is null ? "" : $" on {victim.Name}")}: {(healed ? "healed" : "NOT HEALED")} after {roundSeconds:0.0} s; " +
            $"{(victim is null ? $"{disrupted.Count} disrupted, {f.Count} recovered" : $"{f.Count}/{affected.Count} failed over")}" +
            (f.Count > 0 ? $" in {f[0]:0.0}..{f[^1]:0.0} s (p50 {Pct(f, 0.5):0.0} s)" : "") +
            $"; acked requests {roundAcks.Count}, lost {lost}; double-run episodes {episodes.Count}" +
            (collateral.Count > 0 ? $"; COLLATERAL: {string.Join(' ', collateral)} went down too" : ""));
        // A round that leaves only some domains broken (the cluster itself whole) quarantines them, so that later
        // rounds still test the rest; a cluster that is not whole stops the suite.
        if (!healed && clusterProblems == 0 && problemDomains.Count > 0)
        {
            foreach (var d in problemDomains)
            {
                quarantined[d] = $"{label}: {string.Join("; ", problems.Where(p => p.StartsWith(d, StringComparison.Ordinal)))}";
                expected.Remove(d);
            }
            Log($"the cluster is whole but {problemDomains.Count} domain(s) are not: quarantined ({string.Join(' ', problemDomains)}); the suite goes on without them");
            goOn = true;
        }

        // The cluster must serve requests again: a new HA domain is created, started and runs within 60 s.
        if (goOn)
        {
            var probe = await ProbeAsync(r, kind, ct);
            if (probe is not null)
            {
                Violation($"{label}: after healing, the cluster does not serve requests: {probe}");
                if (healed) { unhealed++; st.Unhealed++; }
                goOn = false;
            }
        }
        obs.CurrentRound = $"after round {r}";
        return goOn;
    }

    /// <summary>
    /// Before a round, the cluster is whole. A node can go down after the previous round was judged healed (in CI a
    /// node restarted after a partition lost its link to one peer 7 s later, and SBR downed both as indirectly
    /// connected): that is the previous round's collateral. Such nodes are restarted, and the round starts once the
    /// cluster is whole again; false (a violation) if it is not within the heal deadline.
    /// </summary>
    private async Task<bool> WholeBeforeRoundAsync(int r, string previousKind, CancellationToken ct)
    {
        var restarted = new Dictionary<Node, DateTime>();
        var deadline = DateTime.UtcNow.AddSeconds(o.HealSeconds);
        List<string> problems = ["not checked yet"];
        while (DateTime.UtcNow < deadline)
        {
            var gone = nodes.Where(n => n.Pid is null && (!restarted.TryGetValue(n, out var at) || DateTime.UtcNow - at > TimeSpan.FromSeconds(30))).ToList();
            if (gone.Count > 0)
            {
                stats[previousKind].Collateral += gone.Count(n => !restarted.ContainsKey(n));
                foreach (var n in gone) Log($"COLLATERAL: {n.Name} went down after round {r - 1} ({previousKind}) was judged healed; its log: {n.LogFile}");
                Evidence($"round{r - 1}-{previousKind}-late-collateral");
                foreach (var n in gone)
                {
                    RestartNode(n);
                    restarted[n] = DateTime.UtcNow;
                }
            }
            if (restarted.Keys.All(n => n.Ready()))
            {
                problems = await HealProblemsAsync(ct);
                if (problems.Count == 0)
                {
                    if (restarted.Count > 0) Log($"the cluster is whole again before round {r}");
                    return true;
                }
            }
            await Task.Delay(1000, ct);
        }
        unhealed++;
        stats[previousKind].Unhealed++;
        Violation($"before round {r}: the cluster is not whole within {o.HealSeconds} s: {string.Join("; ", problems.Take(20))}");
        return false;
    }

    /// <summary>
    /// Creates and starts a new HA domain via a random node; null once it runs (one VMM), else what went wrong.
    /// After a refusal the next attempt goes through another live node: the probe asks whether the cluster serves
    /// requests, and a node that went down meanwhile (late collateral, counted before the next round) cannot say.
    /// </summary>
    private async Task<string?> ProbeAsync(int r, string kind, CancellationToken ct)
    {
        var name = $"r{r:00}-probe";
        var via = nodes[rng.Next(nodes.Count)];
        Node NextLive() => nodes.Concat(nodes).SkipWhile(n => n != via).Skip(1).Take(nodes.Count).FirstOrDefault(n => n.Pid is not null) ?? via;
        var w = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var refusals = new List<string>();
        async Task<bool> Until(Func<Task<Reply>> send, params int[] alsoFine)
        {
            while (true)
            {
                var rep = await send();
                if (rep.Ok || alsoFine.Contains(rep.Status)) return true;
                refusals.Add(rep.ToString());
                Log($"probe: {via.Name} refused: {rep}");
                if (DateTime.UtcNow > deadline) return false;
                await Task.Delay(2000, ct);
                via = NextLive();
            }
        }
        // 409: an earlier attempt that answered 503 ("may still complete") did complete.
        var created = await Until(() => Api.SendAsync(via.ApiPort, HttpMethod.Post, "/domains", new { name, vcpus = 1, memoryMiB = 64, ha = true }, TimeSpan.FromSeconds(15), ct), 409);
        var started = created && await Until(() => Api.SendAsync(via.ApiPort, HttpMethod.Post, $"/domains/{name}/start", null, TimeSpan.FromSeconds(15), ct));
        stats[kind].ProbeRefusals += refusals.Count;
        if (!started) return $"probe {name} via {via.Name} not acknowledged within 60 s: {string.Join(" | ", refusals.TakeLast(3))}";
        expected[name] = "running";
        DomainInfo? info = null;
        while (DateTime.UtcNow < deadline.AddSeconds(30))
        {
            (_, info) = await Api.GetDomainAsync(via.ApiPort, name, TimeSpan.FromSeconds(5), ct);
            if (info is null) via = NextLive();
            if (info is { State: "running" } && obs.Latest.Of(name).Count == 1)
            {
                Log($"probe: {name} created via {via.Name} runs on {info.Server} after {w.Elapsed.TotalSeconds:0.0} s" +
                    (refusals.Count > 0 ? $" ({refusals.Count} refused attempt(s) first)" : ""));
                // Stopped again (the next round checks that it is), so the number of running domains stays put.
                var stop = await Api.SendAsync(via.ApiPort, HttpMethod.Post, $"/domains/{name}/stop?timeout=2", null, TimeSpan.FromSeconds(15), ct);
                if (!stop.Ok)
                {
                    Log($"probe: stop {name} not acknowledged: {stop} (it stays expected running)");
                    return null;
                }
                expected[name] = "stopped";
                for (var i = 0; i < 60; i++)
                {
                    (_, info) = await Api.GetDomainAsync(via.ApiPort, name, TimeSpan.FromSeconds(5), ct);
                    if (info is { State: "stopped" } && obs.Latest.Of(name).Count == 0) break;
                    await Task.Delay(250, ct);
                }
                return null;
            }
            await Task.Delay(300, ct);
        }
        return $"probe {name} acknowledged but not running after {w.Elapsed.TotalSeconds:0} s (last seen {info?.State ?? "?"} on {info?.Server ?? "-"})";
    }

    /// <summary>A few acknowledged requests before the fault: create + start a new HA domain, stop one, start a stopped one.</summary>
    private async Task<List<Ack>> RequestsAsync(int r, string kind, Node via, CancellationToken ct)
    {
        var made = new List<Ack>();
        var timeout = TimeSpan.FromSeconds(30);
        string? Job(Reply rep) => rep.Json is { } j && j.TryGetProperty("job", out var job) ? Api.Str(job, "id") : null;
        void Record(string verb, string domain, string? want, Reply rep)
        {
            if (rep.Ok)
            {
                var ack = new Ack { Round = r, Verb = verb, Domain = domain, Want = want, Node = via.Name, Job = Job(rep) ?? "?" };
                made.Add(ack);
                lock (acks) acks.Add(ack);
                Log($"acked: {ack}");
            }
            else Log($"request {verb} {domain} via {via.Name} not acknowledged: {rep} (not counted)");
        }

        var name = $"r{r:00}-{kind}";
        var c = await Api.SendAsync(via.ApiPort, HttpMethod.Post, "/domains", new { name, vcpus = 1, memoryMiB = 64, ha = true }, timeout, ct);
        Record("create", name, null, c);
        if (c.Ok)
        {
            expected[name] = "stopped";
            var s = await Api.SendAsync(via.ApiPort, HttpMethod.Post, $"/domains/{name}/start", null, timeout, ct);
            Record("start", name, "running", s);
            if (s.Ok) expected[name] = "running";
        }
        // Two stops and (from the second round on) one start of a domain stopped earlier: the number of running
        // domains never grows, so the survivors of a failed server always have room for its domains.
        var runningOnes = expected.Where(e => e.Value == "running" && e.Key != name).Select(e => e.Key).ToList();
        var stoppedNow = new List<string>();
        for (var i = 0; i < 2 && runningOnes.Count > 0; i++)
        {
            var stop = runningOnes[rng.Next(runningOnes.Count)];
            runningOnes.Remove(stop);
            stoppedNow.Add(stop);
            var s = await Api.SendAsync(via.ApiPort, HttpMethod.Post, $"/domains/{stop}/stop?timeout=3", null, timeout, ct);
            Record("stop", stop, "stopped", s);
            if (s.Ok) expected[stop] = "stopped";
        }
        var stoppedOnes = expected.Where(e => e.Value == "stopped" && !stoppedNow.Contains(e.Key) && e.Key != name).Select(e => e.Key).ToList();
        if (stoppedOnes.Count > 0)
        {
            var start = stoppedOnes[rng.Next(stoppedOnes.Count)];
            var s = await Api.SendAsync(via.ApiPort, HttpMethod.Post, $"/domains/{start}/start", null, timeout, ct);
            Record("start", start, "running", s);
            if (s.Ok) expected[start] = "running";
        }
        return made;
    }

    private async Task<int> VerifyAcksAsync(List<Ack> roundAcks, CancellationToken ct)
    {
        var lost = 0;
        foreach (var ack in roundAcks)
        {
            DomainInfo? info = null;
            Reply? last = null;
            var missing = false;
            foreach (var n in nodes.Where(n => n.Pid is not null))
            {
                var (rep, d) = await Api.GetDomainAsync(n.ApiPort, ack.Domain, TimeSpan.FromSeconds(10), ct);
                last = rep;
                if (d is not null) { info = d; break; }
                if (rep.Status == 404) { missing = true; break; }
            }
            // Only the latest acknowledged request of a domain decides its state.
            var superseded = acks.Any(a => a.Domain == ack.Domain && a.At > ack.At && a.Want is not null && ack.Want is not null);
            string? why = null;
            if (missing) why = "the domain does not exist (404)";
            else if (info is null) why = $"could not read the domain from any node ({last})";
            else if (ack.Want is not null && !superseded && info.Desired != ack.Want)
                why = $"desiredState is {info.Desired}, state {info.State}{(info.LastError is null ? "" : $", lastError '{info.LastError}'")}";
            else if (ack.Want is not null && !superseded && info.State != ack.Want)
                why = $"state {info.State} never reached {ack.Want} (desiredState {info.Desired}{(info.LastError is null ? "" : $", lastError '{info.LastError}'")})";
            if (why is null) continue;
            lost++;
            Violation($"LOST ACK: {ack}: {why}");
        }
        if (roundAcks.Count > 0 && lost == 0) Log($"all {roundAcks.Count} acknowledged request(s) of the round are reflected");
        return lost;
    }

    /// <summary>Empty when the cluster is whole: 3 members Up on every node, every domain in the state its acked requests asked for, one VMM each.</summary>
    private async Task<List<string>> HealProblemsAsync(CancellationToken ct)
    {
        var problems = new List<string>();
        problemDomains.Clear();
        clusterProblems = 0;
        foreach (var n in nodes)
        {
            var m = await Api.MembersAsync(n.ApiPort, ct);
            if (m is null) problems.Add($"{n.Name}'s API does not answer /cluster/members");
            else if (m.Value.Up != nodes.Count || m.Value.Total != nodes.Count || m.Value.Unreachable != 0)
                problems.Add($"{n.Name} sees [{m.Value.Text}], {m.Value.Unreachable} unreachable");
        }
        List<DomainInfo>? list = null;
        Reply? last = null;
        foreach (var n in nodes)
        {
            var (rep, l) = await Api.ListDomainsAsync(n.ApiPort, TimeSpan.FromSeconds(15), ct);
            last = rep;
            if (l is not null) { list = l; break; }
        }
        if (list is null)
        {
            problems.Add($"no node lists the domains ({last})");
            clusterProblems = problems.Count;
            return problems;
        }
        clusterProblems = problems.Count;
        var snap = obs.Fresh(ct);
        var byName = list.ToDictionary(d => d.Name, StringComparer.Ordinal);
        foreach (var (d, want) in expected)
        {
            var procs = snap.Of(d);
            if (!byName.TryGetValue(d, out var info)) { problems.Add($"{d} is not listed"); continue; }
            if (info.Desired != want) problems.Add($"{d} desired {info.Desired} (want {want})");
            else if (info.State != want) problems.Add($"{d} {info.State} on {info.Server ?? "-"} (want {want})");
            if (want == "running" && procs.Count != 1) problems.Add($"{d}: {procs.Count} VMMs in /proc ({Observer.Describe(procs)})");
            else if (want == "running" && procs[0].Node != info.Server) problems.Add($"{d}: VMM on {procs[0].Node} but the API says {info.Server}");
            if (want == "stopped" && procs.Count != 0) problems.Add($"{d} should be stopped but has {Observer.Describe(procs)}");
        }
        for (var i = clusterProblems; i < problems.Count; i++) problemDomains.Add(problems[i].Split(' ', ':')[0]);
        return problems;
    }

    // ------------------------------------------------------------------------------------------------ nodes

    /// <summary>
    /// A random node among those running domains: a node restarted by an earlier round holds none until new
    /// domains land there, and failing it would test nothing.
    /// </summary>
    private Node PickVictim(CancellationToken ct)
    {
        var snap = obs.Fresh(ct);
        var hosting = nodes.Where(n => snap.ByDomain.Values.Any(l => l.Any(q => q.Node == n.Name))).ToList();
        var from = hosting.Count > 0 ? hosting : nodes;
        return from[rng.Next(from.Count)];
    }

    /// <summary>Starts a node again exactly as ops/cluster.sh did (same command line, own session, pid file, log appended).</summary>
    private void RestartNode(Node n)
    {
        n.Restarts++;
        File.AppendAllText(n.LogFile, $"\n==== ops/faults: restart {n.Restarts} of {n.Name} at {DateTime.UtcNow:O} ====\n");
        n.ReadyFrom = new FileInfo(n.LogFile).Length;
        File.Delete(n.PidFile);
        // The outer shell backgrounds setsid and returns at once; the inner shell writes its pid and execs the node.
        const string script =
            "cd \"$1\" || exit 1; log=$2; pidf=$3; shift 3; " +
            "setsid bash -c 'echo $$ >\"$1\"; shift; exec \"$@\"' _ \"$pidf\" \"$@\" </dev/null >>\"$log\" 2>&1 &";
        // ops/cluster.sh seeds every node with every node, node1 first: restarted alone, a node rejoins the running
        // ones; restarted with all the others (a whole cluster down), node1 forms the cluster again.
        var (code, _) = Sys.Run("bash", ["-c", script, "_", n.Dir, n.LogFile, n.PidFile, .. n.Argv], null, TimeSpan.FromSeconds(10), Log);
        var until = DateTime.UtcNow.AddSeconds(10);
        while (n.Pid is null && DateTime.UtcNow < until) Thread.Sleep(50);
        Log($"restarted {n.Name}: pid {n.Pid?.ToString(CultureInfo.InvariantCulture) ?? "NONE"} (launcher exit {code})");
    }

    // ------------------------------------------------------------------------------------------------ teardown

    private void KillLeftovers()
    {
        var prefix = o.StateDir + "/";
        bool Ours(string[] argv) => argv.Any(a => a.StartsWith(prefix, StringComparison.Ordinal) || a == o.StateDir);
        bool IsQemu(string[] argv) => Path.GetFileName(argv[0]).StartsWith("qemu-system", StringComparison.Ordinal);
        bool IsHost(string[] argv) => Path.GetFileName(argv[0]) == "Cluster.Host";
        bool IsWatchdog(string[] argv) => argv.Any(a => a.EndsWith("/watchdog.sh", StringComparison.Ordinal));
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var left = Sys.Find(a => Ours(a) && (IsQemu(a) || IsHost(a) || IsWatchdog(a)));
            if (left.Count == 0) return;
            foreach (var pid in left)
            {
                Log($"teardown: SIGKILL leftover pid {pid}: {string.Join(' ', Sys.Cmdline(pid).Take(6))}");
                Sys.Signal(pid, Sys.SIGCONT);
                Sys.Signal(pid, Sys.SIGKILL);
            }
            Thread.Sleep(500);
        }
    }

    private void Teardown()
    {
        if (tornDown) return;
        tornDown = true;
        Log("teardown: healing any partition, waking any frozen node, ops/cluster.sh down");
        try { part.Remove(nodes); } catch (Exception e) { Log($"teardown: partition rules: {e.Message}"); }
        foreach (var n in nodes) if (n.Pid is { } pid) Sys.Signal(pid, Sys.SIGCONT);
        obs.Dispose();
        try
        {
            if (Directory.Exists(o.StateDir))
            {
                var (code, _) = Sys.Run($"{o.Repo}/ops/cluster.sh", ["down"], env, TimeSpan.FromSeconds(180), Log, o.Repo);
                if (code != 0) Log($"teardown: ops/cluster.sh down exit code {code}");
            }
        }
        catch (Exception e) { Log($"teardown: cluster.sh down: {e.Message}"); }
        KillLeftovers();
        try { part.Remove(nodes); } catch (Exception) { }
        var qemu = obs.Sample().TotalProcesses;
        Log($"teardown done: {qemu} QEMU process(es) of {o.StateDir} left; logs kept in {o.StateDir} (node*.log, node*/data/fencing/watchdog.log, pg/postgres.log)");
    }

    /// <summary>Copies the logs that explain a violation to STATE-evidence/NN-what/ (the state dir is purged by the next run).</summary>
    private void Evidence(string what)
    {
        if (evidenceCount >= 10) return;
        evidenceCount++;
        var dir = $"{o.StateDir}-evidence/{DateTime.UtcNow:yyyyMMdd-HHmmss}-{what}";
        try
        {
            Directory.CreateDirectory(dir);
            foreach (var f in Directory.EnumerateFiles(o.StateDir, "node*.log*")) File.Copy(f, $"{dir}/{Path.GetFileName(f)}", true);
            foreach (var n in nodes)
            {
                var wd = $"{n.DataDir}/fencing/watchdog.log";
                if (File.Exists(wd)) File.Copy(wd, $"{dir}/{n.Name}-watchdog.log", true);
            }
            if (File.Exists($"{o.StateDir}/pg/postgres.log")) File.Copy($"{o.StateDir}/pg/postgres.log", $"{dir}/postgres.log", true);
            lock (logGate) File.Copy($"{o.StateDir}-suite.log", $"{dir}/suite.log", true);
            Log($"evidence for {what} copied to {dir}");
        }
        catch (Exception e) { Log($"evidence for {what}: {e.Message}"); }
    }

    // ------------------------------------------------------------------------------------------------ summary

    private static double Pct(List<double> sorted, double q)
    {
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static string Num(double v) => double.IsNaN(v) ? "-" : v.ToString("0.0", CultureInfo.InvariantCulture);

    private int Summary(string? aborted)
    {
        var episodes = obs.Episodes;
        var doubleRuns = episodes.Count;
        Log("==== summary");
        Log($"observer: {obs.Samples} samples of /proc, slowest {obs.MaxSampleMs:0} ms, longest gap {obs.MaxGapMs:0} ms; " +
            $"double-run episodes {doubleRuns} over {obs.DistinctDomains} domain(s)");
        foreach (var ep in episodes) Log($"  double-run: {ep}");
        if (partitionSkipped is not null) Log($"partition rounds were replaced by kill9: {partitionSkipped}");
        Console.WriteLine();
        Console.WriteLine($"{"kind",-11} {"faults",6} {"unhealed",8} {"double",6} {"lost",4} {"samples",7} {"nofail",6} {"p50 s",6} {"p99 s",6} {"max s",6} {"round s",8} {"probe-refused",13} {"collateral",10}");
        var nodeFaults = new List<double>();
        foreach (var k in Options.AllKinds)
        {
            var s = stats[k];
            if (s.Faults == 0) continue;
            var f = s.Failover.Order().ToList();
            if (k is not ("pg-restart" or "restart-all")) nodeFaults.AddRange(f);
            var line = $"{k,-11} {s.Faults,6} {s.Unhealed,8} {s.DoubleRuns,6} {s.LostAcks,4} {f.Count,7} {s.NoFailover,6} {Num(Pct(f, 0.5)),6} {Num(Pct(f, 0.99)),6} " +
                       $"{Num(f.Count == 0 ? double.NaN : f[^1]),6} {Num(s.RoundSeconds.Count == 0 ? double.NaN : s.RoundSeconds.Average()),8} {s.ProbeRefusals,13} {s.Collateral,10}";
            Console.WriteLine(line);
            lock (logGate) logFile.WriteLine(line);
        }
        Console.WriteLine("(samples: HA domains timed from the fault until they ran again elsewhere, one VMM each; nofail: did not fail over;\n" +
                          " pg-restart and restart-all samples are the domains whose VMM the restart disrupted, timed until they ran again;\n" +
                          " probe-refused: refused requests of the post-heal probe (create + start a new domain) before it was acknowledged;\n" +
                          " collateral: nodes other than the victim that went down during the round (restarted by the suite))");
        foreach (var (d, why) in quarantined) Console.WriteLine($"quarantined (never healed): {d}: {why}");
        lock (violations)
        {
            if (violations.Count > 0)
            {
                Console.WriteLine($"violations ({violations.Count}):");
                foreach (var v in violations) Console.WriteLine($"  {v}");
            }
        }
        if (aborted is not null) Log($"suite ended early: {aborted}");
        Log($"total time {clock.Elapsed.TotalSeconds:0} s");
        nodeFaults.Sort();
        var faults = stats.Values.Sum(s => s.Faults);
        var final = $"faults: {roundsRun} rounds, {faults} faults, double-runs {doubleRuns}, lost-acks {lostAcks}, " +
                    $"failover p50 {Num(Pct(nodeFaults, 0.5))} s p99 {Num(Pct(nodeFaults, 0.99))} s";
        lock (logGate) logFile.WriteLine(final);
        Console.WriteLine(final);
        var failed = doubleRuns > 0 || lostAcks > 0 || unhealed > 0 || aborted is not null;
        return failed ? 1 : 0;
    }

    public void Dispose()
    {
        obs.Dispose();
        logFile.Dispose();
        cts.Dispose();
    }
}
