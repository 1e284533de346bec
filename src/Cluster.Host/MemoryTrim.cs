using System.Diagnostics;
using Actors.Domains;
using Akka.Actor;
using Akka.Event;

namespace Cluster.Host;

/// <summary>
/// Gives the memory of passivated domains back to the system. A bulk create or a node start's wake-up brings every
/// domain into memory; a minute later the stopped ones passivate, but the GC keeps the heap it grew for them: little
/// is allocated after that, so no full collection comes and the node stays at its peak (1.4 GiB RSS at 100,000
/// domains). Once at least <c>vmc.memory.trim-after-passivations</c> domains passivated and a check interval passed
/// with few more, one aggressive collection (blocking, compacting, decommitting) returns what they held.
/// </summary>
public sealed class MemoryTrim : ReceiveActor, IWithTimers
{
    public const string Name = "memory-trim";
    private readonly int _threshold;
    private readonly TimeSpan _checkEvery;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private int _pending;
    private int _sinceCheck;

    public ITimerScheduler Timers { get; set; } = null!;

    public MemoryTrim(int threshold, TimeSpan checkEvery)
    {
        _threshold = threshold;
        _checkEvery = checkEvery;
        Receive<DomainPassivating>(_ =>
        {
            _pending++;
            _sinceCheck++;
        });
        Receive<Check>(_ =>
        {
            // A burst is over when the last interval saw under a tenth of the threshold: trimming inside one would
            // only be followed by another.
            if (_pending >= _threshold && _sinceCheck < _threshold / 10) Trim();
            _sinceCheck = 0;
        });
    }

    public static Props Props(int threshold, TimeSpan? checkEvery = null)
    {
        var every = checkEvery ?? TimeSpan.FromSeconds(10);
        return Akka.Actor.Props.Create(() => new MemoryTrim(threshold, every));
    }

    /// <summary>vmc.memory.trim-after-passivations: a count, or off (null).</summary>
    public static int? Threshold(Akka.Configuration.Config config) =>
        OffSetting.Read(config, "vmc.memory.trim-after-passivations", 10_000, (c, path, fallback) => c.GetInt(path, fallback));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DomainPassivating));
        Timers.StartPeriodicTimer(nameof(Check), Check.Instance, _checkEvery);
    }

    private void Trim()
    {
        var before = Environment.WorkingSet;
        var pause = Stopwatch.StartNew();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        pause.Stop();
        _log.Info("memory: {0} domains passivated; a full collection took {1} ms, RSS {2} -> {3} MiB, managed heap {4} MiB",
            _pending, pause.ElapsedMilliseconds, before >> 20, Environment.WorkingSet >> 20, GC.GetTotalMemory(false) >> 20);
        _pending = 0;
    }

    private sealed class Check
    {
        public static readonly Check Instance = new();
    }
}
