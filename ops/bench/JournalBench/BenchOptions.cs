namespace JournalBench;

/// <summary>What one run measures: which databases, for how long, with how many domains.</summary>
public sealed record BenchOptions(
    IReadOnlyList<string> Databases,
    string? PostgresConnection,
    TimeSpan StartCap,
    TimeSpan Warmup,
    TimeSpan Measure,
    int Domains,
    string WorkDir,
    string? ConfigFile,
    string Cases,
    bool Progress)
{
    public const string Usage = """
        usage: JournalBench [--quick] [--db sqlite|postgresql]... [--pg CONNECTION] [--domains N]
                            [--warmup S] [--start-cap S] [--seconds S] [--work-dir DIR] [--config FILE]
                            [--cases mabc] [--progress]
          --quick       short warm-up and measurement (the form ops/bench/journal.sh --quick runs)
          --db          a database to measure (repeatable; default: sqlite, and postgresql when --pg is given)
          --pg          connection string of a PostgreSQL server whose role may create databases
          --domains     concurrent domains driven by commands (default 4000; quick 2000)
          --warmup      seconds before measuring, once every domain exists (default 10; quick 4)
          --start-cap   at most this many seconds for all domains to recover and be created (default 120; quick 20)
          --seconds     seconds measured per case (default 30; quick 8)
          --work-dir    where the SQLite files go (default: a new dir under /tmp; removed at the end)
          --config      extra HOCON over akka.hocon for case (c), as the node's --config
          --progress    print the acknowledged commands so far every second (to stderr)
          --cases       which of (a) raw, (b) plugin defaults, (c) project config to run (default abc); add m for
                        the domain actors alone on an in-memory journal (their own ceiling)
        """;

    public static (BenchOptions? Options, string? Error) Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        var dbs = new List<string>();
        string? pg = null, workDir = null, config = null;
        var cases = "abc";
        int? domains = null;
        double? warmup = null, seconds = null, startCap = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--quick" or "--progress") continue;
            if (i + 1 >= args.Length) return (null, $"option {args[i]} needs a value");
            var value = args[++i];
            switch (args[i - 1])
            {
                case "--db" when value is "sqlite" or "postgresql": dbs.Add(value); break;
                case "--db": return (null, $"--db must be sqlite or postgresql, got '{value}'");
                case "--pg": pg = value; break;
                case "--work-dir": workDir = value; break;
                case "--config": config = Path.GetFullPath(value); break;
                case "--cases" when value.Length > 0 && value.All("abcmu".Contains): cases = value; break;
                case "--domains" when int.TryParse(value, out var n) && n > 0: domains = n; break;
                case "--warmup" when double.TryParse(value, out var w) && w >= 0: warmup = w; break;
                case "--start-cap" when double.TryParse(value, out var c) && c >= 0: startCap = c; break;
                case "--seconds" when double.TryParse(value, out var s) && s > 0: seconds = s; break;
                default: return (null, $"unknown option or bad value: {args[i - 1]} {value}");
            }
        }
        if (dbs.Count == 0) dbs = pg is null ? ["sqlite"] : ["sqlite", "postgresql"];
        if (dbs.Contains("postgresql") && pg is null) return (null, "--db postgresql needs --pg CONNECTION");
        return (new BenchOptions(dbs, pg,
            TimeSpan.FromSeconds(startCap ?? (quick ? 20 : 120)),
            TimeSpan.FromSeconds(warmup ?? (quick ? 4 : 10)),
            TimeSpan.FromSeconds(seconds ?? (quick ? 8 : 30)),
            domains ?? (quick ? 2000 : 4000),
            workDir ?? Path.Combine(Path.GetTempPath(), "journal-bench-" + Guid.NewGuid().ToString("N")[..8]), config, cases, args.Contains("--progress")), null);
    }
}
