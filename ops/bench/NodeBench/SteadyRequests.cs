using System.Diagnostics;

namespace NodeBench;

/// <summary>Pause and resume requests at a steady rate over the running domains, each timed until the node answered.</summary>
public static class SteadyRequests
{
    /// <param name="Refused">Requests the node refused (a domain still pausing when its resume came, in a short run).</param>
    public sealed record Result(double Rate, double P50Ms, double P99Ms, int Refused);

    public static async Task<Result> RunAsync(Api api, int running, int rate, TimeSpan duration)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var refused = 0;
        var tasks = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var k = 0; k < total; k++)
        {
            // Request k goes out at k/rate seconds, whether or not earlier ones were answered (an open loop).
            var due = TimeSpan.FromSeconds((double)k / rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var verb = k / running % 2 == 0 ? "pause" : "resume";
            var slot = k;
            tasks.Add(Task.Run(async () =>
            {
                try { latencies[slot] = (await api.PostAsync($"/domains/{Api.Name(slot % running)}/{verb}", null)).TotalMilliseconds; }
                catch (InvalidOperationException) { Interlocked.Increment(ref refused); }
            }));
        }
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Result(total / elapsed, latencies[total / 2], latencies[(int)(total * 0.99)], refused);
    }
}
