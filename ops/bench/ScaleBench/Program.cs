using System.Diagnostics;
using Akka.Actor;
using Actors.Domains;
using JournalBench;
using ScaleBench;
using Vmm.Native.Simulated;
using static Actors.Domains.DomainCommands;

// Many domains on one node: SQLite with the node's configuration, the simulated VMM, real domain actors.
var quick = args.Contains("--quick");
// --config FILE: HOCON over the node's configuration, as a node's --config (to try a setting).
var configFile = args.SkipWhile(a => a != "--config").Skip(1).FirstOrDefault();
var defined = quick ? 10_000 : 100_000;
var running = quick ? 1_000 : 10_000;
var steady = TimeSpan.FromSeconds(quick ? 10 : 30);
const int rate = 1_000;
var workDir = Path.Combine(Path.GetTempPath(), "scale-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(workDir);
try
{
    var database = new SqliteBenchDatabase(workDir);
    var db = await database.CreateAsync("scale");
    var dataDir = Path.Combine(workDir, "scale");
    var driver = new SimulatedDriver();
    var runtime = new DomainRuntime(driver, "bench", new DomainLayout(dataDir), ActorRefs.Nobody);
    Console.WriteLine($"scale bench: {defined} defined domains, {running} running, SQLite, {Environment.ProcessorCount} cores");

    var system = ActorSystem.Create("scale", JournalConfigs.Project(db, dataDir, configFile));
    var heapBefore = Memory.Heap();
    var domains = new Domains(system, runtime, defined);
    domains.Spawn();
    var clock = Stopwatch.StartNew();
    var rejected = await domains.ForEachAsync(defined, 2_000, (name, r) => new Create(new DomainSpec(name, 1, 64, [], RestartPolicy.OnCrash, null, null, null), r));
    Console.WriteLine($"created {defined} in {clock.Elapsed.TotalSeconds:0.0} s ({defined / clock.Elapsed.TotalSeconds:0}/s, {rejected} rejected)");
    clock.Restart();
    rejected = await domains.ForEachAsync(running, 2_000, (name, r) => new Start(name, r));
    while (driver.LiveCount < running && clock.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(50);
    Console.WriteLine($"started {running} in {clock.Elapsed.TotalSeconds:0.0} s ({rejected} rejected)");

    var perDomain = (Memory.Heap() - heapBefore) / defined;
    var rss = Memory.Rss();
    Console.WriteLine($"heap per domain actor {perDomain / 1024.0:0.0} KB, node RSS {rss / 1048576.0:0} MiB");

    var latency = await SteadyLoad.RunAsync(domains, running, rate, steady);
    Console.WriteLine($"steady {latency.Rate:0} cmd/s (pause/resume) for {steady.TotalSeconds:0} s: ack p50 {latency.P50Ms:0.0} ms p99 {latency.P99Ms:0.0} ms, {latency.Rejected} rejected");

    // A full restart: the actor system goes, the VMMs stay (in the simulated driver, as QEMU outlives the node); the
    // domains are woken as the node wakes them.
    await system.Terminate();
    var before = await Journal.LastOrderingAsync(database, db);
    clock.Restart();
    system = ActorSystem.Create("scale", JournalConfigs.Project(db, dataDir, configFile));
    NodeStart.WakeAll(system, runtime with { Catalog = system.ActorOf(Recoveries.Props(), "recoveries") }, defined);
    var adopted = 0L;
    var shown = TimeSpan.Zero;
    while (adopted < running && clock.Elapsed < TimeSpan.FromMinutes(5))
    {
        await Task.Delay(200);
        adopted = await Journal.CountAsync(database, db, "domain.adopted.v1", before);
        // Where the time goes: recoveries done against adoptions recorded, every 5 s.
        if (clock.Elapsed - shown < TimeSpan.FromSeconds(5)) continue;
        shown = clock.Elapsed;
        Console.WriteLine($"  {shown.TotalSeconds:0} s: {Recoveries.Count} recovered, {adopted} adopted " +
                          $"(pool threads {ThreadPool.ThreadCount}, queued work items {ThreadPool.PendingWorkItemCount})");
    }
    var restart = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"restart: {adopted} of {running} running domains adopted again after {restart:0.0} s");
    await system.Terminate();
    Console.WriteLine($"scale: {defined} defined, {running} running: {perDomain / 1024.0:0.0} KB heap per domain, RSS {rss / 1048576.0:0} MiB, " +
                      $"restart {restart:0.0} s, p50 {latency.P50Ms:0.0} ms p99 {latency.P99Ms:0.0} ms at {latency.Rate:0} cmd/s");
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    try { Directory.Delete(workDir, recursive: true); }
    catch (IOException) { }
}
