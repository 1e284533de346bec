using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Actors.Domains;
using Cluster.Host;
using Vmm.Native.Simulated;

namespace JournalBench;

/// <summary>What one run of the domain workload measured.</summary>
public sealed record WorkloadResult(double CommandsPerSecond, double EventsPerSecond, double P50Ms, double P99Ms, long Rejections);

/// <summary>
/// Real domain actors (no sharding: created directly, as the actor's own tests do) on the simulated VMM, each
/// driven by its own <see cref="DomainDriver"/>; counts acknowledged commands and journal rows over a window.
/// </summary>
public static class DomainWorkload
{
    public static async Task<WorkloadResult> RunAsync(Config config, BenchDatabase database, DatabaseSetup db, string dataDir,
        BenchOptions options)
    {
        var system = ActorSystem.Create("bench", config);
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
            await Task.Delay(options.Warmup);
            stats.StartMeasuring();
            var acks0 = stats.Acks;
            var rows0 = await database.RowsAsync(db, "journal");
            var clock = Stopwatch.StartNew();
            await Task.Delay(options.Measure);
            var acks1 = stats.Acks;
            var rows1 = await database.RowsAsync(db, "journal");
            var seconds = clock.Elapsed.TotalSeconds;
            stats.StopMeasuring();
            return new WorkloadResult((acks1 - acks0) / seconds, (rows1 - rows0) / seconds,
                stats.Percentile(0.50), stats.Percentile(0.99), stats.Rejections);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
