namespace Cluster.Host.Tests.Support;

/// <summary>Finds live QEMU processes by reading /proc, as an observer outside the node would.</summary>
public static class QemuProcesses
{
    /// <summary>Pids of live qemu-system processes of a domain whose files are under <paramref name="dataDir"/>.</summary>
    public static IReadOnlyList<int> Of(string dataDir, string domain) =>
        [.. All(dataDir).Where(p => ArgAfter(p.Argv, "-name") == domain).Select(p => p.Pid)];

    /// <summary>Every live qemu-system process with a file under <paramref name="dataDir"/>.</summary>
    public static IReadOnlyList<(int Pid, string[] Argv)> All(string dataDir) =>
        [.. Scan().Where(p => p.Argv.Any(a => a.Contains(dataDir, StringComparison.Ordinal)))];

    /// <summary>Pids of live qemu-system processes of a domain, per data dir, from one pass over /proc.</summary>
    public static IReadOnlyList<(string DataDir, int Pid)> Of(IEnumerable<string> dataDirs, string domain)
    {
        var dirs = dataDirs.ToList();
        return
        [
            .. from p in Scan()
               where ArgAfter(p.Argv, "-name") == domain
               from dir in dirs
               where p.Argv.Any(a => a.Contains(dir, StringComparison.Ordinal))
               select (dir, p.Pid),
        ];
    }

    /// <summary>Every live qemu-system process on this machine (one pass over /proc; zombies are skipped).</summary>
    public static IReadOnlyList<(int Pid, string[] Argv)> Scan()
    {
        var found = new List<(int, string[])>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid)) continue;
            try
            {
                var argv = File.ReadAllText(Path.Combine(entry, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                if (argv.Length == 0 || !Path.GetFileName(argv[0]).StartsWith("qemu-system", StringComparison.Ordinal)) continue;
                var stat = File.ReadAllText(Path.Combine(entry, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) continue; // a zombie runs nothing
                found.Add((pid, argv));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    public static void KillAll(string dataDir)
    {
        foreach (var (pid, _) in All(dataDir))
        {
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
    }

    private static string? ArgAfter(string[] argv, string flag)
    {
        var i = Array.IndexOf(argv, flag);
        return i >= 0 && i + 1 < argv.Length ? argv[i + 1] : null;
    }
}
