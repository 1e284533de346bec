using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace FaultSuite;

public static partial class Sys
{
    public const int SIGKILL = 9, SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    public static bool Signal(int pid, int sig) => pid > 1 && kill(pid, sig) == 0;

    /// <summary>The process's state letter from /proc (R, S, D, T, Z, ...), or null if it is gone.</summary>
    public static char? State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close >= 0 && close + 2 < stat.Length ? stat[close + 2] : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public static string[] Cmdline(int pid)
    {
        try { return Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/cmdline")).TrimEnd('\0').Split('\0'); }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    /// <summary>Live (not zombie) processes whose command line satisfies the predicate.</summary>
    public static List<int> Find(Func<string[], bool> match)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(dir.AsSpan(6), out var pid) || pid == Environment.ProcessId) continue;
            var argv = Cmdline(pid);
            if (argv.Length == 0 || !match(argv)) continue;
            if (State(pid) is null or 'Z' or 'X') continue;
            found.Add(pid);
        }
        return found;
    }

    /// <summary>Runs a command to completion; output lines go to the log. Returns exit code and stdout.</summary>
    public static (int Code, string Out) Run(string file, IEnumerable<string> args, IDictionary<string, string>? env, TimeSpan timeout,
        Action<string>? log, string? cwd = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        if (cwd is not null) psi.WorkingDirectory = cwd;
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        p.StandardInput.Close();
        var stdout = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is null) return; lock (stdout) stdout.AppendLine(e.Data); log?.Invoke($"  | {e.Data}"); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) log?.Invoke($"  | {e.Data}"); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit(5000);
            return (124, stdout.ToString());
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.ToString());
    }
}

/// <summary>One node of the cluster as ops/cluster.sh lays it out.</summary>
public sealed class Node(Options o, int index)
{
    public int Index { get; } = index;
    public string Name => $"node{Index}";
    public int ApiPort => o.ApiPortBase + Index - 1;
    public int ClusterPort => o.ClusterPortBase + Index - 1;
    public string Dir => $"{o.StateDir}/{Name}";
    public string DataDir => $"{Dir}/data";
    public string PidFile => $"{o.StateDir}/{Name}.pid";
    public string LogFile => $"{o.StateDir}/{Name}.log";
    /// <summary>The node's exact command line, read from /proc after `cluster.sh up`, used for restarts.</summary>
    public string[] Argv { get; set; } = [];
    public long ReadyFrom { get; set; }
    public int Restarts { get; set; }

    /// <summary>The pid of this node's Cluster.Host if it is alive (not a zombie), else null.</summary>
    public int? Pid
    {
        get
        {
            try
            {
                if (!int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid)) return null;
                if (Sys.State(pid) is null or 'Z' or 'X') return null;
                return Sys.Cmdline(pid).Contains(DataDir) ? pid : null;
            }
            catch (IOException) { return null; }
        }
    }

    public bool Ready()
    {
        try
        {
            using var f = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (f.Length <= ReadyFrom) return false;
            f.Seek(ReadyFrom, SeekOrigin.Begin);
            using var r = new StreamReader(f);
            return r.ReadToEnd().Contains("node ready", StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
    }
}

/// <summary>Partitions one node's cluster traffic with iptables on lo (and a cgroup v2 match for its outgoing connections).</summary>
public sealed class Partitioner(Options o, Action<string> log)
{
    private string Chain => $"VMCFAULTS{o.ClusterPortBase}";
    private const string CgroupRoot = "/sys/fs/cgroup/unified";
    public string? Active { get; private set; }
    private string Cgroup(Node n) => $"vmc-faults-{n.Name}-{o.ClusterPortBase}";
    private bool useCgroup;

    private int Ipt(params string[] args) => Sys.Run("iptables", ["-w", .. args], null, TimeSpan.FromSeconds(20), null).Code;
    private int IptLogged(params string[] args)
    {
        var (code, _) = Sys.Run("iptables", ["-w", .. args], null, TimeSpan.FromSeconds(20), log);
        if (code != 0) log($"iptables {string.Join(' ', args)} failed with exit code {code}");
        return code;
    }

    /// <summary>Null if partitions can be made here, else why not.</summary>
    public string? Check()
    {
        try
        {
            if (Sys.Run("iptables", ["-w", "-L", "OUTPUT", "-n"], null, TimeSpan.FromSeconds(20), null).Code != 0)
                return "iptables -L OUTPUT fails (no netfilter or no CAP_NET_ADMIN)";
        }
        catch (Exception e) { return $"iptables not runnable: {e.Message}"; }
        useCgroup = Directory.Exists(CgroupRoot) && File.Exists($"{CgroupRoot}/cgroup.procs");
        return null;
    }

    public bool Cut(Node victim, IEnumerable<Node> all)
    {
        Heal();
        if (Ipt("-N", Chain) != 0 && Ipt("-F", Chain) != 0) return false;
        if (Ipt("-C", "OUTPUT", "-o", "lo", "-j", Chain) != 0 && IptLogged("-I", "OUTPUT", "1", "-o", "lo", "-j", Chain) != 0) return false;
        var port = victim.ClusterPort.ToString();
        // Everyone's packets to the victim's cluster port, and the victim's packets from it (its inbound connections).
        var ok = IptLogged("-A", Chain, "-p", "tcp", "--dport", port, "-j", "DROP") == 0
              && IptLogged("-A", Chain, "-p", "tcp", "--sport", port, "-j", "DROP") == 0;
        // The victim's own outbound connections to the other nodes' cluster ports come from ephemeral ports. Akka
        // opens one connection per direction, so without these the cut is one-sided: the victim still delivers its
        // gossip but hears nothing (an asymmetric partition, which makes SBR down an innocent node as "indirectly
        // connected"). New connections: the victim is moved into its own cgroup (v2) and its packets to cluster
        // ports are dropped (a socket's cgroup is fixed when the socket is made, hence the move comes first).
        // Existing ones: its sockets (from /proc/PID/fd and /proc/net/tcp*) to cluster ports, by local port.
        var clusterPorts = all.Select(n => n.ClusterPort).ToHashSet();
        if (ok && victim.Pid is { } pid)
        {
            if (useCgroup)
            {
                try
                {
                    var cg = $"{CgroupRoot}/{Cgroup(victim)}";
                    Directory.CreateDirectory(cg);
                    File.WriteAllText($"{cg}/cgroup.procs", pid.ToString());
                    var ports = string.Join(',', clusterPorts);
                    ok = IptLogged("-A", Chain, "-p", "tcp", "-m", "cgroup", "--path", Cgroup(victim), "-m", "multiport", "--dports", ports, "-j", "DROP") == 0;
                }
                catch (Exception e) { log($"partition: cgroup match not used ({e.Message}); new outbound connections of {victim.Name} are not cut"); }
            }
            var outbound = OutboundPorts(pid, clusterPorts, victim.ClusterPort);
            foreach (var local in outbound)
            {
                ok &= IptLogged("-A", Chain, "-p", "tcp", "--sport", local.ToString(), "-j", "DROP") == 0;
                ok &= IptLogged("-A", Chain, "-p", "tcp", "--dport", local.ToString(), "-j", "DROP") == 0;
            }
            log($"partition: {victim.Name}: dropped port {victim.ClusterPort} both ways, {outbound.Count} existing outbound connection(s) (local ports {string.Join(',', outbound)}){(useCgroup ? ", new ones by cgroup" : "")}");
        }
        if (ok) Active = victim.Name;
        return ok;
    }

    /// <summary>Local ports of the process's TCP connections to one of the given remote ports (not its listening port).</summary>
    public static List<int> OutboundPorts(int pid, HashSet<int> remotePorts, int ownPort)
    {
        var inodes = new HashSet<string>();
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                try
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)) inodes.Add(target[8..^1]);
                }
                catch (IOException) { }
            }
        }
        catch (Exception) { return []; }
        var ports = new SortedSet<int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            string[] lines;
            try { lines = File.ReadAllLines(table); } catch (IOException) { continue; }
            foreach (var line in lines.Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || !inodes.Contains(f[9])) continue;
                var local = Convert.ToInt32(f[1][(f[1].LastIndexOf(':') + 1)..], 16);
                var remote = Convert.ToInt32(f[2][(f[2].LastIndexOf(':') + 1)..], 16);
                if (remote != 0 && remotePorts.Contains(remote) && local != ownPort) ports.Add(local);
            }
        }
        return [.. ports];
    }

    public void Heal()
    {
        Ipt("-F", Chain);
        Active = null;
    }

    /// <summary>Removes the chain, its jump and the cgroups (teardown).</summary>
    public void Remove(IEnumerable<Node> nodes)
    {
        while (Ipt("-D", "OUTPUT", "-o", "lo", "-j", Chain) == 0) { }
        Ipt("-F", Chain);
        Ipt("-X", Chain);
        Active = null;
        foreach (var n in nodes)
        {
            var cg = $"{CgroupRoot}/{Cgroup(n)}";
            if (!Directory.Exists(cg)) continue;
            try
            {
                foreach (var line in File.ReadAllLines($"{cg}/cgroup.procs"))
                    try { File.WriteAllText($"{CgroupRoot}/cgroup.procs", line); } catch (IOException) { }
                Directory.Delete(cg);
            }
            catch (Exception e) { log($"teardown: could not remove cgroup {cg}: {e.Message}"); }
        }
    }
}
