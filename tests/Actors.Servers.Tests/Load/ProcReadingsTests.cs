using Actors.Servers.Load;

namespace Actors.Servers.Tests.Load;

/// <summary>/proc parsing on samples captured from a Debian 12 host (2 CPUs) and a QEMU process.</summary>
public sealed class ProcReadingsTests
{
    private const string Stat = """
        cpu  2512201 0 466211 1215422 8822 0 11781 9751 0 0
        cpu0 1241654 0 226641 632611 2393 0 3016 4686 0 0
        cpu1 1270547 0 239570 582811 6428 0 8765 5064 0 0
        intr 302775473 0 9 0 0 0 0 0 0 0 0
        ctxt 581870436
        btime 1764040000
        """;

    private const string Meminfo = """
        MemTotal:       24684096 kB
        MemFree:        21757652 kB
        MemAvailable:   22938092 kB
        Buffers:          203412 kB
        """;

    // comm with a space and a ')' inside, as a process may name itself.
    private const string QemuStat =
        "4242 (qemu-system-x86) x) S 1 4242 4242 0 -1 4194560 9102 0 0 0 7321 412 0 0 20 0 3 0 2146313 1063088128 31744 "
        + "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

    [Fact]
    public void Host_cpu_counts_idle_and_iowait_as_not_busy()
    {
        var cpu = ProcReadings.ParseStat(Stat)!.Value;
        Assert.Equal(2512201L + 466211 + 1215422 + 8822 + 11781 + 9751, cpu.Total);
        Assert.Equal(cpu.Total - 1215422 - 8822, cpu.Busy);
    }

    [Fact]
    public void Memory_used_is_total_minus_available()
    {
        var memory = ProcReadings.ParseMeminfo(Meminfo)!.Value;
        Assert.Equal(24684096, memory.TotalKiB);
        Assert.Equal(24684096 - 22938092, memory.UsedKiB);
    }

    [Fact]
    public void Process_cpu_is_utime_plus_stime_counted_after_the_last_parenthesis()
    {
        var p = ProcReadings.ParseProcessStat(QemuStat)!.Value;
        Assert.Equal(7321 + 412, p.Ticks);
        Assert.Equal(31744, p.RssPages);
    }

    [Theory]
    [InlineData("")]
    [InlineData("intr 1 2 3\n")]
    [InlineData("cpu  12 x 3 4\n")]
    public void Unreadable_stat_is_null(string text) => Assert.Null(ProcReadings.ParseStat(text));

    [Fact]
    public void Meminfo_without_MemAvailable_and_a_truncated_process_stat_are_null()
    {
        Assert.Null(ProcReadings.ParseMeminfo("MemTotal: 100 kB\n"));
        Assert.Null(ProcReadings.ParseProcessStat("4242 (qemu) S 1 2 3"));
    }
}
