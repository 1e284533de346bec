using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace FaultSuite;

/// <summary>
/// Watches /proc from outside the cluster, every ~100 ms: for each domain, the live (not zombie) qemu-system
/// processes whose command line names the domain (<c>-name DOMAIN</c>) and contains the cluster's state dir.
/// A sample where a domain has two or more of them is a double-run (invariant 1); consecutive such samples of
/// one domain are one episode. A SIGSTOPped node's QEMU processes still run, so they count.
/// </summary>
public sealed class Observer : IDisposable
{
    public sealed record Qemu(int Pid, string Domain, string? Node, char State);

    public sealed record Snapshot(DateTime At, IReadOnlyDictionary<string, List<Qemu>> ByDomain)
    {
        public static readonly Snapshot Empty = new(DateTime.MinValue, new Dictionary<string, List<Qemu>>());
        public IReadOnlyList<Qemu> Of(string domain) => ByDomain.TryGetValue(domain, out var l) ? l : [];
        public int TotalProcesses => ByDomain.Values.Sum(l => l.Count);
    }

    public sealed class Episode
    {
        public required string Domain { get; init; }
        public required DateTime Start { get; init; }
        public DateTime? End { get; set; }
        public int MaxCount { get; set; }
        public string Round { get; init; } = "";
        public HashSet<string> Processes { get; } = [];
        public double Seconds => ((End ?? DateTime.UtcNow) - Start).TotalSeconds;
        public override string ToString() =>
            $"domain {Domain} ({Round}): {MaxCount} live VMMs at once, {Start:HH:mm:ss.fff}..{(End is { } e ? e.ToString("HH:mm:ss.fff") : "still open")} " +
            $"({Seconds:0.000} s); processes {string.Join(", ", Processes)}";
    }

    private readonly string prefix;
    private readonly Regex nodeDir;
    private readonly Action<string> log;
    private readonly Thread thread;
    private readonly object gate = new();
    private readonly Dictionary<string, Episode> open = [];
    private readonly List<Episode> episodes = [];
    private volatile bool stopping;
    private volatile Snapshot latest = Snapshot.Empty;

    public long Samples;
    public double MaxSampleMs;
    public double MaxGapMs;
    public string CurrentRound = "setup";

    public Observer(string stateDir, Action<string> log)
    {
        prefix = stateDir.TrimEnd('/') + "/";
        nodeDir = new Regex(Regex.Escape(prefix) + @"(node\d+)/data/domains/([^/]+)/", RegexOptions.Compiled);
        this.log = log;
        thread = new Thread(Loop) { IsBackground = true, Name = "observer", Priority = ThreadPriority.AboveNormal };
    }

    public Snapshot Latest => latest;

    public void Start() => thread.Start();

    public List<Episode> Episodes { get { lock (gate) return [.. episodes]; } }

    public int DistinctDomains { get { lock (gate) return episodes.Select(e => e.Domain).Distinct().Count(); } }

    /// <summary>Waits for a sample taken after now, so decisions use a fresh view.</summary>
    public Snapshot Fresh(CancellationToken ct)
    {
        var since = DateTime.UtcNow;
        var until = since.AddSeconds(2);
        while (latest.At <= since && DateTime.UtcNow < until && !ct.IsCancellationRequested) Thread.Sleep(10);
        return latest;
    }

    private void Loop()
    {
        var sw = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        while (!stopping)
        {
            var begin = sw.Elapsed;
            if (last != TimeSpan.Zero) MaxGapMs = Math.Max(MaxGapMs, (begin - last).TotalMilliseconds);
            last = begin;
            try
            {
                var snap = Sample();
                latest = snap;
                Judge(snap);
                Samples++;
            }
            catch (Exception e)
            {
                log($"observer: sample failed: {e.Message}");
            }
            var took = (sw.Elapsed - begin).TotalMilliseconds;
            MaxSampleMs = Math.Max(MaxSampleMs, took);
            var rest = 100 - (int)took;
            if (rest > 0) Thread.Sleep(rest);
        }
    }

    public Snapshot Sample()
    {
        var by = new Dictionary<string, List<Qemu>>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = dir.AsSpan(6);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0])) continue;
            if (!int.TryParse(name, out var pid)) continue;
            var q = Read(pid);
            if (q is null) continue;
            if (!by.TryGetValue(q.Domain, out var list)) by[q.Domain] = list = [];
            list.Add(q);
        }
        return new Snapshot(DateTime.UtcNow, by);
    }

    /// <summary>A live qemu-system process of this cluster, or null.</summary>
    public Qemu? Read(int pid)
    {
        try
        {
            var comm = File.ReadAllText($"/proc/{pid}/comm");
            if (!comm.StartsWith("qemu-system", StringComparison.Ordinal)) return null;
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            if (close < 0 || close + 2 >= stat.Length) return null;
            var state = stat[close + 2];
            if (state is 'Z' or 'X' or 'x') return null; // a zombie runs nothing
            var argv = Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/cmdline")).Split('\0');
            if (!argv.Any(a => a.Contains(prefix, StringComparison.Ordinal))) return null;
            string? domain = null, node = null;
            for (var i = 0; i + 1 < argv.Length; i++)
                if (argv[i] == "-name") { domain = argv[i + 1]; break; }
            foreach (var a in argv)
            {
                var m = nodeDir.Match(a);
                if (!m.Success) continue;
                node = m.Groups[1].Value;
                domain ??= m.Groups[2].Value;
                break;
            }
            if (domain is null) return null;
            // "-name guest=NAME,debug-threads=on" form, just in case.
            if (domain.StartsWith("guest=", StringComparison.Ordinal)) domain = domain[6..].Split(',')[0];
            return new Qemu(pid, domain, node, state);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private void Judge(Snapshot snap)
    {
        lock (gate)
        {
            foreach (var (domain, list) in snap.ByDomain)
            {
                if (list.Count < 2) continue;
                if (!open.TryGetValue(domain, out var ep))
                {
                    ep = new Episode { Domain = domain, Start = snap.At, Round = CurrentRound };
                    open[domain] = ep;
                    episodes.Add(ep);
                    log($"OBSERVER: DOUBLE-RUN of {domain}: {Describe(list)}");
                }
                ep.MaxCount = Math.Max(ep.MaxCount, list.Count);
                foreach (var q in list) ep.Processes.Add($"pid {q.Pid} on {q.Node ?? "?"} ({q.State})");
            }
            foreach (var domain in open.Keys.ToList())
            {
                if (snap.Of(domain).Count >= 2) continue;
                var ep = open[domain];
                ep.End = snap.At;
                open.Remove(domain);
                log($"OBSERVER: double-run of {domain} ended after {ep.Seconds:0.000} s; now {Describe(snap.Of(domain))}");
            }
        }
    }

    public static string Describe(IReadOnlyList<Qemu> list) =>
        list.Count == 0 ? "no VMM" : string.Join(", ", list.Select(q => $"pid {q.Pid} on {q.Node ?? "?"} ({q.State})"));

    public void Dispose()
    {
        stopping = true;
        if (thread.IsAlive) thread.Join(2000);
        lock (gate)
            foreach (var ep in open.Values) ep.End ??= DateTime.UtcNow;
    }
}
