using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NodeBench;

// A real node process with the simulated VMM on SQLite, driven over its HTTP API as vmc drives it: creates many
// domains, starts some, measures the node's RSS and the request latency under a steady rate, then restarts the node
// (SIGTERM, start again) and times until every running domain runs again. The simulated VMMs live in the node's
// process, so they end with it: after the restart each running domain is started again (a host that rebooted).
var quick = args.Contains("--quick");
int Option(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v) : fallback;
var defined = Option("--defined", quick ? 10_000 : 100_000);
var running = Option("--running", quick ? 1_000 : 10_000);
var rate = Option("--rate", 1_000);
var steadySeconds = Option("--seconds", quick ? 10 : 30);
const int inFlight = 64;
var nodeCount = Option("--nodes", 1);
var hostDll = args.SkipWhile(a => a != "--host-dll").Skip(1).First();
// Several nodes share one database (node.sh starts a private PostgreSQL); one node keeps SQLite in its data dir.
var db = args.SkipWhile(a => a != "--db").Skip(1).FirstOrDefault();
if (nodeCount > 1 && db is null) throw new ArgumentException("--nodes above 1 needs --db (a shared PostgreSQL)");

var work = Directory.CreateTempSubdirectory("vmc-node-bench-").FullName;
var config = Path.Combine(work, "bench.hocon");
// Room for each node's share of the running domains (1 vCPU, 16 MiB each; up to 8 vCPUs a CPU): best-fit placement
// fills one server before the next, so each server is sized for its share.
var share = (running + nodeCount - 1) / nodeCount;
// Stopped domains leave memory after a minute without a message (the node's default, spelled out: the bench waits
// for it before it takes a restarted node's RSS).
var passivateAfter = TimeSpan.FromMinutes(1);
// MemoryTrim's line, once a node gave the memory of its passivated domains back.
const string Trimmed = "memory: ";
var simulatedServers = $"vmc.simulated-server {{ cpus = {share / 8 + 16}, memory-mib = {share * 16L + 4096} }}\n" +
                       $"vmc.domains.passivate-idle-after = {passivateAfter.TotalSeconds:0}s\n" +
                       // Several node processes on a machine of two cores starve each other's heartbeats under this
                       // load (a node was downed at a restart with the 3 s default): this bench measures throughput,
                       // not failure detection (the fault suite does, with the default).
                       (nodeCount > 1 ? "akka.cluster.failure-detector.acceptable-heartbeat-pause = 20s\n" : "");
File.WriteAllText(config, simulatedServers);
// The journal class the node's DirectSqlJournal derives from: the restart baseline.
const string PluginReads = "akka.persistence.journal.sql.class = \"Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql\"\n";
var ports = Enumerable.Range(0, nodeCount).Select(_ => (Cluster: FreePort(), Api: FreePort())).ToList();
var nodes = ports.Select((p, i) => new NodeProcess(hostDll, $"node{i + 1}", Path.Combine(work, $"node{i + 1}"), p.Cluster, p.Api, config,
    [ports[0].Cluster], db)).ToList();
var node = nodes[0];
// Several nodes: the domains are HA. A restart stops every node, and a non-HA domain whose server leaves (or fails)
// while others are up is moved to them stopped, by design (it must not run elsewhere): only HA domains are
// promised to run again after their servers went away, which is what the restart measures.
var ha = nodeCount > 1;
try
{
    Console.WriteLine($"node bench: {defined} defined domains, {running} running, {nodeCount} node process(es), " +
                      $"{(db is null ? "SQLite" : "PostgreSQL")}, simulated VMM, {Environment.ProcessorCount} cores");
    var clock = Stopwatch.StartNew();
    await StartAllAsync(nodes);
    Console.WriteLine($"ready in {clock.Elapsed.TotalSeconds:0.0} s");
    var api = new Api(node.Api, File.ReadAllText(Path.Combine(node.DataDir, "admin.token")).Trim());
    var journal = new Journal(node.DataDir, db);

    foreach (var n in nodes) n.Watch(Trimmed);
    clock.Restart();
    await api.ForEachAsync(defined, inFlight, i => ("/domains", Api.CreateBody(i, ha)));
    Console.WriteLine($"created {defined} in {clock.Elapsed.TotalSeconds:0.0} s ({defined / clock.Elapsed.TotalSeconds:0}/s over HTTP)");
    var createdAt = DateTime.UtcNow;
    clock.Restart();
    await api.ForEachAsync(running, inFlight, i => ($"/domains/{Api.Name(i)}/start", null));
    await UntilAsync(() => journal.Count("domain.started.v1", 0) >= running, TimeSpan.FromMinutes(5), "every started domain running");
    Console.WriteLine($"started {running} in {clock.Elapsed.TotalSeconds:0.0} s");
    var rss = nodes.Max(n => n.Rss());
    Console.WriteLine($"RSS {string.Join(", ", nodes.Select(n => $"{n.Name} {n.Rss() / 1048576.0:0} MiB"))} with {defined} defined, {running} running");

    var latency = await SteadyRequests.RunAsync(api, running, rate, TimeSpan.FromSeconds(steadySeconds));
    Console.WriteLine($"steady {latency.Rate:0} requests/s (pause/resume over HTTP) for {steadySeconds} s: p50 {latency.P50Ms:0.0} ms p99 {latency.P99Ms:0.0} ms, {latency.Refused} refused");
    var rssSettled = await SettledRssAsync(createdAt);
    Console.WriteLine($"RSS once idle domains passivated: {string.Join(", ", nodes.Select(n => $"{n.Name} {n.Rss() / 1048576.0:0} MiB"))}");
    ShowTrims();

    // The baseline first: the plugin's own recovery reads (DirectSqlJournal's base class). The second restart
    // then replays a few more events per running domain than the first.
    File.AppendAllText(config, PluginReads);
    var (baseline, _) = await RestartAsync("with the plugin's recovery reads");
    File.WriteAllText(config, simulatedServers);
    var wokeAll = $"woke {defined} entities from the catalog"; // the domains' CatalogWakeup, at its end
    foreach (var n in nodes)
    {
        n.Watch(wokeAll);
        n.Watch(Trimmed);
    }
    var (restart, ready) = await RestartAsync("as configured");
    // A restarted node wakes every domain once; the stopped ones then leave memory when idle.
    await UntilAsync(() => nodes.All(n => n.Lines(wokeAll) > 0), TimeSpan.FromMinutes(5),
        "every domain awake after the restart");
    Console.WriteLine($"restart: every domain woken after {clock.Elapsed.TotalSeconds:0.0} s, RSS {string.Join(", ", nodes.Select(n => $"{n.Name} {n.Rss() / 1048576.0:0} MiB"))}");
    var rssAwake = await SettledRssAsync(DateTime.UtcNow);
    Console.WriteLine($"RSS after the restart, once idle domains passivated: {string.Join(", ", nodes.Select(n => $"{n.Name} {n.Rss() / 1048576.0:0} MiB"))}");
    ShowTrims();
    await Task.WhenAll(nodes.Select(n => n.StopAsync()));
    Console.WriteLine($"node: {defined} defined, {running} running{(nodeCount > 1 ? $" on {nodeCount} nodes" : "")}: RSS {rss / 1048576.0:0} MiB ({rssSettled / 1048576.0:0} MiB settled, {rssAwake / 1048576.0:0} MiB restarted), restart {restart:0.0} s (ready {ready.TotalSeconds:0.0} s; " +
                      $"{baseline / restart:0.0}x faster than the plugin's reads, {baseline:0.0} s), " +
                      $"p50 {latency.P50Ms:0.0} ms p99 {latency.P99Ms:0.0} ms at {latency.Rate:0} requests/s");
    return 0;

    // The RSS once the domains idle since idleFrom passivated and each node gave their memory back (MemoryTrim's
    // line), or, for a node holding fewer domains than its trim threshold, a minute and a half after that.
    async Task<long> SettledRssAsync(DateTime idleFrom)
    {
        var until = idleFrom + passivateAfter + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < until && !nodes.All(n => n.Lines(Trimmed) > 0)) await Task.Delay(500);
        await Task.Delay(TimeSpan.FromSeconds(2));
        return nodes.Max(n => n.Rss());
    }

    // Each node's last MemoryTrim line (the collection's pause and what it gave back).
    void ShowTrims()
    {
        foreach (var n in nodes)
            if (n.Log.Split('\n').LastOrDefault(l => l.Contains(Trimmed, StringComparison.Ordinal)) is { } line)
                Console.WriteLine($"  {n.Name}: {line[line.IndexOf(Trimmed, StringComparison.Ordinal)..].Trim()}");
    }

    // Stops every node, starts them again and times until every running domain runs again.
    async Task<(double Seconds, TimeSpan Ready)> RestartAsync(string how)
    {
        await Task.WhenAll(nodes.Select(n => n.StopAsync()));
        var before = journal.LastOrdering();
        clock.Restart();
        await StartAllAsync(nodes);
        var ready = clock.Elapsed;
        Console.WriteLine($"restart {how}: ready after {ready.TotalSeconds:0.0} s");
        long back = 0;
        var shown = TimeSpan.Zero;
        while (back < running && clock.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(200);
            back = journal.Count("domain.started.v1", before) + journal.Count("domain.adopted.v1", before);
            if (clock.Elapsed - shown < TimeSpan.FromSeconds(5)) continue;
            shown = clock.Elapsed;
            Console.WriteLine($"  {shown.TotalSeconds:0} s: {back} running again, RSS {string.Join(", ", nodes.Select(n => $"{n.Rss() / 1048576.0:0}"))} MiB");
        }
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"restart {how}: {back} of {running} running domains running again after {seconds:0.0} s");
        if (back < running) throw new TimeoutException($"restart {how}: {back} of {running} running again after 10 minutes");
        return (seconds, ready);
    }
}
catch (Exception ex)
{
    Console.Error.WriteLine($"node bench failed: {ex.Message}");
    // The whole logs outlive the work dir (deleted below): the last lines rarely show how it began.
    var kept = Directory.CreateTempSubdirectory("vmc-node-bench-failed-").FullName;
    foreach (var n in nodes)
    {
        File.WriteAllText(Path.Combine(kept, $"{n.Name}.log"), n.Log);
        Console.Error.WriteLine($"--- {n.Name} log (last 40 lines; all of it in {kept}/{n.Name}.log) ---");
        foreach (var line in n.Log.Split('\n').TakeLast(40)) Console.Error.WriteLine(line);
    }
    return 1;
}
finally
{
    foreach (var n in nodes) await n.DisposeAsync();
    try { Directory.Delete(work, recursive: true); }
    catch (IOException) { }
}

// The first node (the seed) first, then the others together; with several, says when each was ready.
static async Task StartAllAsync(IReadOnlyList<NodeProcess> nodes)
{
    var clock = Stopwatch.StartNew();
    var ready = new string[nodes.Count];
    async Task Start(int i)
    {
        await nodes[i].StartAsync();
        ready[i] = $"{nodes[i].Name} {clock.Elapsed.TotalSeconds:0.0} s";
    }
    await Start(0);
    await Task.WhenAll(Enumerable.Range(1, nodes.Count - 1).Select(Start));
    if (nodes.Count > 1) Console.WriteLine($"  ready: {string.Join(", ", ready)}");
}

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}

static async Task UntilAsync(Func<bool> done, TimeSpan deadline, string what)
{
    var clock = Stopwatch.StartNew();
    while (!done())
    {
        if (clock.Elapsed > deadline) throw new TimeoutException($"not within {deadline.TotalSeconds:0} s: {what}");
        await Task.Delay(100);
    }
}
