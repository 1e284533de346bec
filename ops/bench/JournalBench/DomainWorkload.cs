using System.Diagnostics;
using Akka.Actor;
using Akka.Actor.Setup;
using Actors.Domains;
using Cluster.Host;
using Vmm.Native.Simulated;

namespace JournalBench;

/// <summary>What one run of the domain workload measured.</summary>
/// <param name="CpuUsPerEvent">Process CPU time per journal row written: what the write path costs whatever share of
/// the cores the machine's other load leaves this run.</param>
/// <param name="CpuUsPerCommand">The same per acknowledged command.</param>
public sealed record WorkloadResult(double CommandsPerSecond, double EventsPerSecond, double P50Ms, double P99Ms, long Rejections,
    double CpuUsPerEvent, double CpuUsPerCommand);

/// <summary>
/// Real domain actors (no sharding: created directly, as the actor's own tests do) on the simulated VMM, each
/// driven by its own <see cref="DomainDriver"/>; counts acknowledged commands and journal rows over a window.
/// </summary>
public static class DomainWorkload
{
    public static async Task<WorkloadResult> RunAsync(ActorSystemSetup setup, BenchDatabase database, DatabaseSetup db, string dataDir,
        BenchOptions options)
    {
        var system = ActorSystem.Create("bench", setup);
        try
        {
            var stats = new WorkloadStats();
            var runtime = new DomainRuntime(new SimulatedDriver(), "bench", new DomainLayout(dataDir), ActorRefs.Nobody);
            for (var i = 0; i < options.Domains; i++)
            {
                var name = "d" + i.ToString("D6");
                var domain = system.ActorOf(DomainActor.Props(name, runtime), name);
                system.ActorOf(DomainDriver.Props(domain, name, stats), "driver-" + name);
            }
            using var progress = options.Progress ? new Timer(_ => Console.Error.WriteLine($"  {stats.Acks} acks"), null, 1000, 1000) : null;
            // Warm-up: every domain has recovered and been created (or the cap passed), then a steady stretch.
            var started = Stopwatch.StartNew();
            while (stats.Answered < options.Domains && started.Elapsed < options.StartCap)
                await Task.Delay(100);
            await Task.Delay(options.Warmup);
            stats.StartMeasuring();
            var acks0 = stats.Acks;
            var rows0 = await database.RowsAsync(db, "journal");
            var cpu = CpuClock.Start();
            await Task.Delay(options.Measure);
            var acks1 = stats.Acks;
            var rows1 = await database.RowsAsync(db, "journal");
            var (seconds, cpuUs) = cpu.Elapsed();
            stats.StopMeasuring();
            return new WorkloadResult((acks1 - acks0) / seconds, (rows1 - rows0) / seconds,
                stats.Percentile(0.50), stats.Percentile(0.99), stats.Rejections, cpuUs / Math.Max(1, rows1 - rows0), cpuUs / Math.Max(1, acks1 - acks0));
        }
        finally
        {
            await system.Terminate();
        }
    }
}
