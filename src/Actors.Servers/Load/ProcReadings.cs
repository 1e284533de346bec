namespace Actors.Servers.Load;

/// <summary>Jiffies from the first line of /proc/stat: all CPUs together, busy and total (idle and iowait are not busy).</summary>
public readonly record struct HostCpuTimes(long Busy, long Total);

/// <summary>/proc/meminfo's MemTotal and MemAvailable, in KiB.</summary>
public readonly record struct HostMemory(long TotalKiB, long AvailableKiB)
{
    public long UsedKiB => TotalKiB - AvailableKiB;
}

/// <summary>From /proc/PID/stat: CPU time used (utime + stime, in jiffies) and resident pages.</summary>
public readonly record struct ProcessCpu(long Ticks, long RssPages);

/// <summary>Parses the /proc files that load sampling reads (pure: tested on captured samples).</summary>
public static class ProcReadings
{
    /// <summary>The aggregate "cpu " line: user nice system idle iowait irq softirq steal (guest time is inside user).</summary>
    public static HostCpuTimes? ParseStat(string text)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (line is null) return null;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).ToArray();
        if (fields.Length < 4) return null;
        var values = new long[fields.Length];
        for (var i = 0; i < fields.Length; i++)
            if (!long.TryParse(fields[i], out values[i])) return null;
        var idle = values[3] + (values.Length > 4 ? values[4] : 0);
        var total = values.Sum();
        return new HostCpuTimes(total - idle, total);
    }

    public static HostMemory? ParseMeminfo(string text)
    {
        long? total = null, available = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) total = KiB(line);
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) available = KiB(line);
        }
        return total is > 0 && available is { } a ? new HostMemory(total.Value, a) : null;

        static long? KiB(string line) =>
            long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1), out var v) ? v : null;
    }

    /// <summary>"pid (comm) S ..." where comm may hold spaces and ')': fields are counted after the last ')'.</summary>
    public static ProcessCpu? ParseProcessStat(string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state): utime is field 14, stime 15, rss 24.
        if (fields.Length < 22
            || !long.TryParse(fields[11], out var utime) || !long.TryParse(fields[12], out var stime)
            || !long.TryParse(fields[21], out var rss))
            return null;
        return new ProcessCpu(utime + stime, rss);
    }
}
