using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using AuditBench;
using Cluster.Host;
using Cluster.Host.Audit;
using static Actors.Domains.DomainEvents;

// usage: AuditBench LABEL EVENTS SCANS DATA_DIR [POSTGRES_CONNECTION]
// Loads EVENTS domain events into a fresh journal (SQLite in DATA_DIR, or the PostgreSQL given), projects them
// into the audit table, then asks "one domain, one day" of the table and of CurrentEventsByTag (the baseline, SCANS
// times: each takes seconds).
// Prints readable lines and one "RESULT label p50 p99 baseline stats catchup" line for ops/bench/audit.sh.
if (args.Length is < 4 or > 5)
{
    Console.Error.WriteLine("usage: AuditBench LABEL EVENTS SCANS DATA_DIR [POSTGRES_CONNECTION]");
    return 2;
}
var (label, events, scanCount, dataDir) =
    (args[0], int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture), args[3]);
string[] nodeArgs = args.Length == 5 ? ["--data-dir", dataDir, "--db", args[4]] : ["--data-dir", dataDir];
var options = NodeOptions.Parse(nodeArgs, _ => null).Options ?? throw new InvalidOperationException("bad options");
Directory.CreateDirectory(dataDir);
var db = DatabaseSetup.For(options);
db.Prepare();
var auditDb = AuditDatabase.For(db);
await auditDb.InitializeAsync();

// The node's configuration, without the cluster: the bench needs the journal, the query journal and the adapter.
var hocon = NodeConfig.Build(options, db) + "\nakka.actor.provider = local\nakka.loglevel = WARNING\n";
using var system = ActorSystem.Create("bench", hocon);
var domains = Math.Max(1, events / 100);
var loader = new JournalLoader(system, events, domains);

var watch = Stopwatch.StartNew();
await loader.LoadAsync();
Say($"{events} events of {domains} domains written to the journal in {watch.Elapsed.TotalSeconds:0.0} s ({events / watch.Elapsed.TotalSeconds:0} events/s)");

// Catch-up: the projection's own loop from offset 0 until it has written the journal's last ordering.
var store = new AuditStore(auditDb);
var settings = AuditSettings.From(system.Settings.Config);
long written = 0;
watch.Restart();
var (stop, projection) = AuditProjection.Run(system, store, settings, await store.LoadAsync(), o => Interlocked.Exchange(ref written, o));
var reader = new AuditReader(auditDb);
var lastOrdering = events; // a fresh journal: orderings 1..events
while (Interlocked.Read(ref written) < lastOrdering)
{
    if (projection.IsCompleted) await projection; // it ends only by failing: say why
    if (watch.Elapsed > TimeSpan.FromMinutes(30)) throw new TimeoutException($"projection at {written} of {lastOrdering}");
    await Task.Delay(20);
}
var catchUp = events / watch.Elapsed.TotalSeconds;
await stop.CancelAsync();
await projection;
Say($"projection catch-up: {events} events in {watch.Elapsed.TotalSeconds:0.0} s ({catchUp:0} events/s)");

// "What happened to domain D on day 3?" Random domains, the same day.
var dayStart = loader.Start + TimeSpan.FromDays(3);
var dayEnd = dayStart + TimeSpan.FromDays(1);
var random = new Random(42);
var timings = new List<double>();
for (var i = 0; i < 320; i++)
{
    var query = new AuditQuery(Domain: JournalLoader.DomainName(random.Next(domains)), Since: dayStart, Until: dayEnd, Limit: AuditQuery.MaxLimit);
    watch.Restart();
    await reader.ListAsync(query);
    if (i >= 20) timings.Add(watch.Elapsed.TotalMilliseconds); // the first ones warm up connections and caches
}
timings.Sort();
var (p50, p99) = (timings[timings.Count / 2], timings[(int)(timings.Count * 0.99)]);
Say($"filtered query (one domain, one day): p50 {p50:0.00} ms, p99 {p99:0.00} ms over {timings.Count} queries");

var statsTimes = new List<double>();
AuditStats? stats = null;
for (var i = 0; i < 5; i++)
{
    watch.Restart();
    stats = await reader.StatsAsync(new AuditQuery(Since: dayStart, Until: dayEnd));
    statsTimes.Add(watch.Elapsed.TotalMilliseconds);
}
statsTimes.Sort();
Say($"audit stats over a day: {statsTimes[2]:0.0} ms (median of 5; {stats!.Total} events, {stats.ByType.Count} types, {stats.ByPrincipal.Count} principals)");

// Baseline: the same question answered from the journal, CurrentEventsByTag of the domain's tag, the day filtered in memory.
var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
var materializer = system.Materializer();
var scans = new List<double>();
for (var i = 0; i < scanCount; i++)
{
    var domain = JournalLoader.DomainName(random.Next(domains));
    watch.Restart();
    var fromJournal = await journal.CurrentEventsByTag("domain:" + domain, Offset.NoOffset())
        .Where(e => e.Event is IDomainEvent d && d.Meta.At >= dayStart && d.Meta.At < dayEnd)
        .RunAggregate(0, (n, _) => n + 1, materializer);
    scans.Add(watch.Elapsed.TotalMilliseconds);
    var fromTable = (await reader.ListAsync(new AuditQuery(Domain: domain, Since: dayStart, Until: dayEnd, Limit: AuditQuery.MaxLimit))).Count;
    if (fromJournal != fromTable) throw new InvalidOperationException($"{domain}: the journal has {fromJournal} events that day, the audit table {fromTable}");
}
scans.Sort();
var baseline = scans[scans.Count / 2];
Say($"scan baseline (CurrentEventsByTag, filtered in memory): {baseline:0.0} ms (median of {scans.Count}); same answers as the table");
Say($"speed-up of p50 over the baseline: {baseline / p50:0.0}x");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT {label} {p50:0.00} {p99:0.00} {baseline:0.0} {statsTimes[2]:0.0} {catchUp:0}"));
await system.Terminate();
return 0;

void Say(string line) => Console.WriteLine($"{label}: {line}");
