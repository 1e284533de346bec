using Vmm.Native.Linux;

namespace Vmm.Native;

/// <summary>The VMM processes of one server, found the way the watchdog finds them: by /proc, not by memory.</summary>
public static class LocalVmms
{
    /// <summary>Pids of live qemu-system processes with a file under <paramref name="domainsDir"/>.</summary>
    public static IReadOnlyList<int> Find(string domainsDir)
    {
        var marker = Path.GetFullPath(domainsDir).TrimEnd('/') + "/";
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid)) continue;
            var argv = ProcFs.ReadCmdline(pid);
            if (argv.Count > 0 && Path.GetFileName(argv[0]).StartsWith("qemu-system", StringComparison.Ordinal)
                && argv.Any(a => a.Contains(marker, StringComparison.Ordinal)) && ProcFs.IsAliveAndNotZombie(pid))
                found.Add(pid);
        }
        return found;
    }

    /// <summary>SIGKILLs every VMM under <paramref name="domainsDir"/> (fencing); returns their pids.</summary>
    public static IReadOnlyList<int> KillAll(string domainsDir)
    {
        var pids = Find(domainsDir);
        foreach (var pid in pids) LibC.Kill(pid, 9);
        return pids;
    }
}
