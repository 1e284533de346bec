using System.Diagnostics;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests.MultiNode;

/// <summary>
/// Watches /proc from outside the cluster, as an operator's monitor would: every <c>interval</c> it records which
/// servers have a live QEMU process of one domain. Dispose (or <see cref="StopAsync"/>) ends the watch.
/// </summary>
public sealed class QemuObserver : IAsyncDisposable
{
    public sealed record Sample(TimeSpan At, IReadOnlyList<(string Server, int Pid)> Processes);

    private readonly List<Sample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public QemuObserver(ThreeNodeCluster cluster, string domain, TimeSpan interval)
    {
        var clock = Stopwatch.StartNew();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var sample = new Sample(clock.Elapsed, cluster.QemuOf(domain));
                lock (_samples) _samples.Add(sample);
                try { await Task.Delay(interval, _stop.Token); }
                catch (OperationCanceledException) { }
            }
        });
    }

    public IReadOnlyList<Sample> Samples
    {
        get { lock (_samples) return [.. _samples]; }
    }

    public async Task<IReadOnlyList<Sample>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Samples;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
