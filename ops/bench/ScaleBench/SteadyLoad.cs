using System.Diagnostics;
using Actors.Domains;
using static Actors.Domains.DomainCommands;

namespace ScaleBench;

/// <summary>What a steady load measured.</summary>
public sealed record SteadyResult(double Rate, double P50Ms, double P99Ms, int Rejected);

/// <summary>
/// Commands at a fixed rate, round robin over the running domains: each is paused, and resumed the next time its
/// turn comes (seconds later, long after the pause has been done).
/// </summary>
public static class SteadyLoad
{
    public static async Task<SteadyResult> RunAsync(Domains domains, int running, int perSecond, TimeSpan duration)
    {
        var latencies = new List<double>();
        var paused = new bool[running];
        var rejected = 0;
        var pending = new List<Task>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (clock.Elapsed < duration)
        {
            // Catch up to the schedule every 10 ms.
            var due = (int)(clock.Elapsed.TotalSeconds * perSecond);
            for (; sent < due; sent++)
            {
                var i = sent % running;
                var name = Domains.Name(i);
                IDomainMessage command = paused[i] ? new Resume(name, Domains.Request(name)) : new Pause(name, Domains.Request(name));
                paused[i] = !paused[i];
                var start = Stopwatch.GetTimestamp();
                pending.Add(domains.AskAsync(i, command).ContinueWith(t =>
                {
                    var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    lock (latencies)
                    {
                        if (t.IsFaulted || t.Result is DomainReplies.Rejected) rejected++;
                        else latencies.Add(ms);
                    }
                }, TaskScheduler.Default));
            }
            await Task.Delay(10);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(pending);
        latencies.Sort();
        double At(double q) => latencies.Count == 0 ? double.NaN : latencies[(int)Math.Min(latencies.Count - 1, q * latencies.Count)];
        return new SteadyResult(latencies.Count / seconds, At(0.50), At(0.99), rejected);
    }
}
