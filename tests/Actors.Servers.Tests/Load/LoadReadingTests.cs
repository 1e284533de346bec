using Actors.Servers.Load;

namespace Actors.Servers.Tests.Load;

public sealed class LoadReadingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 15, 0, 0, TimeSpan.Zero);
    private static readonly HostMemory Memory = new(TotalKiB: 1_000_000, AvailableKiB: 600_000);

    private static LoadReading Reading(int seconds, long busy, long total, params (string Name, ProcessCpu? Vmm)[] domains) =>
        new(T0.AddSeconds(seconds), new HostCpuTimes(busy, total), Memory, domains.ToDictionary(d => d.Name, d => d.Vmm));

    [Fact]
    public void Host_source_reports_the_hosts_busy_share_and_each_vmm_as_a_share_of_all_cpus()
    {
        // 2 CPUs, 2 s at 100 jiffies/s: 400 jiffies; the host was busy for 300 of them, web1's VMM for 200 (one CPU).
        var earlier = Reading(0, 1000, 10_000, ("web1", new ProcessCpu(500, 10)));
        var now = Reading(2, 1300, 10_400, ("web1", new ProcessCpu(700, 10)));

        var load = now.LoadSince(earlier, LoadSource.Host, pageSizeBytes: 4096)!;

        Assert.Equal(75, load.CpuPercent, 3);
        Assert.Equal(40, load.MemoryPercent, 3);
        Assert.Equal(50, load.DomainCpuPercent["web1"], 3);
        Assert.Equal(T0.AddSeconds(2), load.SampledAt);
    }

    [Fact]
    public void Vmms_source_reports_only_this_nodes_vmms_so_nodes_sharing_a_host_differ()
    {
        var earlier = Reading(0, 1000, 10_000, ("web1", new ProcessCpu(500, 0)), ("web2", new ProcessCpu(0, 0)));
        var now = Reading(2, 1390, 10_400, ("web1", new ProcessCpu(600, 25_000)), ("web2", new ProcessCpu(20, 25_000)));

        var load = now.LoadSince(earlier, LoadSource.Vmms, pageSizeBytes: 4096)!;

        Assert.Equal(30, load.CpuPercent, 3);                  // 25% + 5%, not the host's 97.5%
        Assert.Equal(100.0 * 50_000 * 4 / 1_000_000, load.MemoryPercent, 3); // resident pages of the VMMs
    }

    [Fact]
    public void A_domain_without_a_process_new_or_restarted_vmm_counts_zero()
    {
        var earlier = Reading(0, 0, 400, ("restarted", new ProcessCpu(900, 0)), ("simulated", null));
        var now = Reading(2, 100, 800, ("restarted", new ProcessCpu(10, 0)), ("simulated", null), ("new", new ProcessCpu(50, 0)));

        var load = now.LoadSince(earlier, LoadSource.Vmms, 4096)!;

        Assert.All(load.DomainCpuPercent.Values, v => Assert.Equal(0, v));
        Assert.Equal(0, load.CpuPercent);
    }

    [Fact]
    public void No_elapsed_jiffies_gives_no_load()
    {
        var reading = Reading(0, 100, 400);
        Assert.Null(reading.LoadSince(reading, LoadSource.Host, 4096));
    }
}
