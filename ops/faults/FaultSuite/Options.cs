namespace FaultSuite;

/// <summary>Command-line options of the suite (run.sh passes them through) and the environment it runs in.</summary>
public sealed class Options
{
    public int Rounds { get; private set; } = 6;
    public int Domains { get; private set; } = 30;
    public bool Quick { get; private set; }
    public int Seed { get; private set; } = Environment.TickCount & 0x7fffffff;
    public List<string> Kinds { get; private set; } = [.. AllKinds];
    public int FaultSeconds { get; private set; } = 15;
    public int HealSeconds { get; private set; } = 240;
    public int Nodes => 3;

    public string Repo { get; private set; } = "";
    public string StateDir { get; private set; } = "/tmp/vmc-faults";
    public int PgPort { get; private set; } = 35432;
    public int ClusterPortBase { get; private set; } = 6053;
    public int ApiPortBase { get; private set; } = 9310;

    public static readonly string[] AllKinds = ["kill9", "stop", "partition", "pg-restart", "restart-all"];

    public const string Usage =
        "usage: ops/faults/run.sh [--rounds N] [--domains M] [--quick] [--seed S] [--kinds k1,k2,...] [--fault-seconds S] [--heal-seconds S]\n" +
        "  kinds: kill9, stop, partition, pg-restart, restart-all (SIGTERM to every node at once, then all started again).\n" +
        "  --quick = 12 domains, one round of each kind but restart-all in order (kill9, partition, stop, pg-restart), 120 s heal deadline.\n" +
        "  --heal-seconds: deadline per round from the fault until the cluster is whole again (default 240).\n" +
        "  environment: VMC_FAULTS_DIR (/tmp/vmc-faults), VMC_FAULTS_PG_PORT (35432),\n" +
        "  VMC_FAULTS_CLUSTER_PORT_BASE (6053), VMC_FAULTS_API_PORT_BASE (9310)";

    public static Options? Parse(string[] args)
    {
        var o = new Options();
        bool roundsGiven = false, domainsGiven = false, kindsGiven = false, healGiven = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next()
            {
                if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]} needs a value");
                return args[++i];
            }
            int NextInt(int min)
            {
                var name = args[i];
                var v = Next();
                if (!int.TryParse(v, out var n) || n < min) throw new ArgumentException($"{name} needs a whole number >= {min}, got '{v}'");
                return n;
            }
            try
            {
                switch (args[i])
                {
                    case "--rounds": o.Rounds = NextInt(1); roundsGiven = true; break;
                    case "--domains": o.Domains = NextInt(1); domainsGiven = true; break;
                    case "--quick": o.Quick = true; break;
                    case "--seed": o.Seed = NextInt(0); break;
                    case "--fault-seconds": o.FaultSeconds = NextInt(1); break;
                    case "--heal-seconds": o.HealSeconds = NextInt(30); healGiven = true; break;
                    case "--kinds":
                        o.Kinds = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                        if (o.Kinds.Count == 0 || o.Kinds.Any(k => !AllKinds.Contains(k)))
                            throw new ArgumentException($"--kinds takes a comma-separated list of {string.Join(", ", AllKinds)}");
                        kindsGiven = true;
                        break;
                    case "-h" or "--help": Console.WriteLine(Usage); return null;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"faults: {e.Message}");
                Console.Error.WriteLine(Usage);
                Environment.Exit(2);
            }
        }
        if (o.Quick)
        {
            if (!kindsGiven) o.Kinds = ["kill9", "partition", "stop", "pg-restart"];
            if (!roundsGiven) o.Rounds = o.Kinds.Count;
            if (!domainsGiven) o.Domains = 12;
            // A healthy round heals in ~25 s; 120 s keeps the short form under ~6 minutes even when a round fails.
            if (!healGiven) o.HealSeconds = 120;
        }
        o.Repo = Environment.GetEnvironmentVariable("VMC_FAULTS_REPO") ?? Directory.GetCurrentDirectory();
        o.StateDir = Path.GetFullPath(Environment.GetEnvironmentVariable("VMC_FAULTS_DIR") ?? o.StateDir).TrimEnd('/');
        o.PgPort = EnvInt("VMC_FAULTS_PG_PORT", o.PgPort);
        o.ClusterPortBase = EnvInt("VMC_FAULTS_CLUSTER_PORT_BASE", o.ClusterPortBase);
        o.ApiPortBase = EnvInt("VMC_FAULTS_API_PORT_BASE", o.ApiPortBase);
        return o;
    }

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var v) && v > 0 ? v : fallback;

    /// <summary>
    /// The kind of each round. --quick runs the kinds in the given order. Otherwise every block
    /// of len(kinds) rounds is a random permutation of the kinds (a shuffled bag: random order, every kind covered).
    /// </summary>
    public List<string> Plan(Random rng)
    {
        var plan = new List<string>();
        while (plan.Count < Rounds)
        {
            var bag = Kinds.ToList();
            if (!Quick) bag = [.. bag.OrderBy(_ => rng.Next())];
            plan.AddRange(bag);
        }
        return plan.Take(Rounds).ToList();
    }
}
