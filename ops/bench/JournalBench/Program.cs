using Akka.Actor;
using JournalBench;

// Measures, per database, in one run: (a) a raw batched INSERT loop, (b) Akka.Persistence.Sql with its defaults,
// (c) the node's configuration; (b) and (c) drive real domain actors on the simulated VMM.
var (options, error) = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine($"error: {error}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

Directory.CreateDirectory(options.WorkDir);
IReadOnlyList<Payload> payloads;
using (var serializers = ActorSystem.Create("payloads", "akka.loglevel = WARNING"))
    payloads = Payloads.Cycle((ExtendedActorSystem)serializers);

Console.WriteLine($"journal bench: {options.Domains} domains, warm-up {options.Warmup.TotalSeconds:0} s, " +
                  $"measured {options.Measure.TotalSeconds:0} s per case, {Environment.ProcessorCount} cores");
var summary = new List<string>();
try
{
    if (options.Cases.Contains('m'))
    {
        var database = BenchDatabase.For("sqlite", options);
        var (db, dir) = (await database.CreateAsync("actors-only"), Path.Combine(options.WorkDir, "actors-only"));
        var alone = await DomainWorkload.RunAsync(JournalConfigs.ActorsOnly(db, dir), database, db, dir, options);
        Console.WriteLine($"(m) domain actors alone, in-memory journal: {alone.CommandsPerSecond:0} cmd/s, " +
                          $"ack p50 {alone.P50Ms:0.0} ms p99 {alone.P99Ms:0.0} ms, CPU {alone.CpuUsPerCommand:0} us/command");
    }
    foreach (var kind in options.Databases)
    {
        var database = BenchDatabase.For(kind, options);
        double? raw = null;
        WorkloadResult? byDefault = null, project = null;

        if (options.Cases.Contains('a'))
        {
            var db = await database.CreateAsync("raw");
            var batch = JournalConfigs.ProjectBatchSize(db, options.WorkDir, options.ConfigFile);
            var (rowsPerSecond, cpuUs) = await RawInsert.RunAsync(database, db, payloads, batch, options.Domains, options.Warmup, options.Measure);
            raw = rowsPerSecond;
            Console.WriteLine($"{kind} (a) raw insert, {batch} rows a transaction: {rowsPerSecond:0} events/s, CPU {cpuUs:0} us/event");
        }
        if (options.Cases.Contains('b'))
        {
            var (db, dir) = (await database.CreateAsync("plugin-default"), Path.Combine(options.WorkDir, "plugin-default"));
            byDefault = await DomainWorkload.RunAsync(JournalConfigs.PluginDefaults(db, dir), database, db, dir, options);
            Console.WriteLine($"{kind} (b) plugin defaults: {Report.Line(byDefault)}");
        }
        if (options.Cases.Contains('c'))
        {
            var (db, dir) = (await database.CreateAsync("project"), Path.Combine(options.WorkDir, "project"));
            project = await DomainWorkload.RunAsync(JournalConfigs.Project(db, dir, options.ConfigFile), database, db, dir, options);
            Console.WriteLine($"{kind} (c) project config: {Report.Line(project)}");
        }
        if (raw is { } a && byDefault is { } b && project is { } c)
        {
            Console.WriteLine($"{kind} ratios (events/s): c/b {c.EventsPerSecond / b.EventsPerSecond:0.0}x, c/a {c.EventsPerSecond / a:P0}");
            summary.Add(Report.Summary(kind, a, b, c));
        }
    }
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Npgsql.NpgsqlConnection.ClearAllPools();
    try { Directory.Delete(options.WorkDir, recursive: true); }
    catch (IOException) { }
}
foreach (var line in summary) Console.WriteLine(line);
return 0;
