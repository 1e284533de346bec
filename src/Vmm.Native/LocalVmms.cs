using Vmm.Native.Linux;

namespace Vmm.Native;

/// <summary>The VMM processes of one server, found the way the watchdog finds them: by /proc, not by memory.</summary>
public static class LocalVmms
{
    /// <summary>Pids of live qemu-system processes with a file under <paramref name="domainsDir"/>.</summary>
    public static IReadOnlyList<int> Find(string domainsDir) => [.. Scan(domainsDir).Select(v => v.Pid)];

    /// <summary>The same VMMs by domain: the directory under <paramref name="domainsDir"/> that their files are in.</summary>
    public static IReadOnlyDictionary<string, int> ByDomain(string domainsDir)
    {
        var found = new Dictionary<string, int>();
        foreach (var (pid, domain) in Scan(domainsDir)) found[domain] = pid;
        return found;
    }

    private static IEnumerable<(int Pid, string Domain)> Scan(string domainsDir)
    {
        var marker = Path.GetFullPath(domainsDir).TrimEnd('/') + "/";
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid)) continue;
            var argv = ProcFs.ReadCmdline(pid);
            if (argv.Count == 0 || !Path.GetFileName(argv[0]).StartsWith("qemu-system", StringComparison.Ordinal)) continue;
            var file = argv.Select(a => a.IndexOf(marker, StringComparison.Ordinal) is var at and >= 0 ? a[(at + marker.Length)..] : null)
                .FirstOrDefault(rest => rest is not null && rest.Contains('/'));
            if (file is not null && ProcFs.IsAliveAndNotZombie(pid)) yield return (pid, file[..file.IndexOf('/')]);
        }
    }

    /// <summary>SIGKILLs every VMM under <paramref name="domainsDir"/> (fencing); returns their pids.</summary>
    public static IReadOnlyList<int> KillAll(string domainsDir)
    {
        var pids = Find(domainsDir);
        foreach (var pid in pids) LibC.Kill(pid, 9);
        return pids;
    }
}
