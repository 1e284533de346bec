using System.Text;

namespace Vmm.Native.Linux;

/// <summary>Reads what /proc says about a process.</summary>
internal static class ProcFs
{
    /// <summary>argv of the process; empty when it is gone or a zombie.</summary>
    public static IReadOnlyList<string> ReadCmdline(int pid)
    {
        try
        {
            var bytes = File.ReadAllBytes($"/proc/{pid}/cmdline");
            if (bytes.Length == 0) return [];
            var text = Encoding.UTF8.GetString(bytes);
            return text.TrimEnd('\0').Split('\0');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>(state, start time in clock ticks since boot) from /proc/PID/stat; null when the process is gone.</summary>
    public static (char State, long StartTime)? ReadStat(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        // "pid (comm) S ppid ..." where comm may contain spaces and ')': parse after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state); starttime is field 22, so fields[19].
        if (fields.Length < 20 || fields[0].Length != 1 || !long.TryParse(fields[19], out var start)) return null;
        return (fields[0][0], start);
    }

    public static bool IsAliveAndNotZombie(int pid)
    {
        var stat = ReadStat(pid);
        return stat is { } s && s.State != 'Z' && s.State != 'X';
    }
}
