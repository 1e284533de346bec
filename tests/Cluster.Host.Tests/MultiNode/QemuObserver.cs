using System.Diagnostics;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests.MultiNode;

/// <summary>
/// Watches /proc from outside the cluster, as an operator's monitor would: every <c>interval</c> it records which
/// servers have a live QEMU process of one domain. Dispose (or <see cref="StopAsync"/>) ends the watch with one more
/// sample, so that the last one shows the state after whatever the test awaited (a sample taken in the loop may be
/// up to an interval older).
/// </summary>
public sealed class QemuObserver : IAsyncDisposable
{
    public sealed record Sample(TimeSpan At, IReadOnlyList<(string Server, int Pid)> Processes);

    private readonly List<Sample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<Sample> _take;
    private bool _stopped;

    public QemuObserver(ThreeNodeCluster cluster, string domain, TimeSpan interval)
    {
        var clock = Stopwatch.StartNew();
        _take = () => new Sample(clock.Elapsed, cluster.QemuOf(domain));
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var sample = _take();
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
        if (!_stopped)
        {
            _stopped = true;
            var last = _take();
            lock (_samples) _samples.Add(last);
        }
        return Samples;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
