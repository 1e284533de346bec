namespace JournalBench;

/// <summary>What the domain drivers count: acknowledged commands, rejections, and latencies while measuring.</summary>
public sealed class WorkloadStats
{
    private readonly List<double> _latenciesMs = [];
    private long _acks;
    private long _answered;
    private long _rejections;
    private volatile bool _measuring;

    public long Acks => Interlocked.Read(ref _acks);
    public long Rejections => Interlocked.Read(ref _rejections);

    /// <summary>Domains whose first command was acknowledged (they have recovered and exist).</summary>
    public long Answered => Interlocked.Read(ref _answered);

    public void FirstAnswer() => Interlocked.Increment(ref _answered);

    public void StartMeasuring() => _measuring = true;
    public void StopMeasuring() => _measuring = false;

    public void Acked(double latencyMs)
    {
        Interlocked.Increment(ref _acks);
        if (!_measuring) return;
        lock (_latenciesMs) _latenciesMs.Add(latencyMs);
    }

    public void Rejected() => Interlocked.Increment(ref _rejections);

    /// <summary>The latency below which a fraction <paramref name="q"/> of the measured acks came.</summary>
    public double Percentile(double q)
    {
        lock (_latenciesMs)
        {
            if (_latenciesMs.Count == 0) return double.NaN;
            _latenciesMs.Sort();
            return _latenciesMs[(int)Math.Min(_latenciesMs.Count - 1, q * _latenciesMs.Count)];
        }
    }
}
