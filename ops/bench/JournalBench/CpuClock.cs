using System.Diagnostics;

namespace JournalBench;

/// <summary>Wall time and this process's CPU time since it was started.</summary>
public sealed class CpuClock
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly TimeSpan _cpu0 = Process.GetCurrentProcess().TotalProcessorTime;

    public static CpuClock Start() => new();

    /// <summary>Seconds of wall time, and microseconds of CPU time (all threads).</summary>
    public (double Seconds, double CpuMicroseconds) Elapsed() =>
        (_wall.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - _cpu0).TotalMicroseconds);
}
