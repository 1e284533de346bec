using Akka.Actor;
using Akka.Event;

namespace Actors.Servers.Load;

/// <summary>How the load sampler finds what to read and where the load goes; the node supplies them.</summary>
/// <param name="LocalDomains">The domains running on this server (as the domain index says).</param>
/// <param name="VmmPids">Their VMM processes by domain (from /proc); a domain without one counts 0 CPU.</param>
/// <param name="Publish">Where each new load goes (the replicated <see cref="LoadIndex"/>).</param>
public sealed record LoadSamplerPorts(
    Func<Task<IReadOnlyCollection<string>>> LocalDomains,
    Func<IReadOnlyDictionary<string, int>> VmmPids,
    Action<ServerLoad> Publish);

/// <summary>
/// Node-local: every <c>interval</c> reads /proc (the host's CPU and memory, each local VMM's CPU time) and publishes
/// the load since the previous read. The first read only sets the baseline.
/// </summary>
public sealed class LoadSampler : ReceiveActor, IWithTimers
{
    private sealed record Tick;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private LoadReading? _previous;
    private bool _reading;
    private bool _warned;

    public LoadSampler(LoadSamplerPorts ports, LoadSource source, TimeSpan interval)
    {
        Receive<Tick>(_ =>
        {
            if (_reading) return;
            _reading = true;
            ReadAsync(ports).PipeTo(Self, Self, r => r, ex => new Status.Failure(ex));
        });
        Receive<LoadReading>(reading =>
        {
            _reading = false;
            _warned = false;
            if (_previous is { } earlier && reading.LoadSince(earlier, source, Environment.SystemPageSize) is { } load)
                ports.Publish(load);
            _previous = reading;
        });
        Receive<Status.Failure>(f =>
        {
            _reading = false;
            if (!_warned) _log.Warning("load sampling: {0}", f.Cause.Message);
            _warned = true;
        });
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.Zero, interval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(LoadSamplerPorts ports, LoadSource source, TimeSpan interval) =>
        Akka.Actor.Props.Create(() => new LoadSampler(ports, source, interval));

    private static async Task<LoadReading> ReadAsync(LoadSamplerPorts ports)
    {
        var running = await ports.LocalDomains();
        var pids = ports.VmmPids();
        var cpu = ProcReadings.ParseStat(await File.ReadAllTextAsync("/proc/stat"))
                  ?? throw new InvalidDataException("/proc/stat has no aggregate cpu line");
        var memory = ProcReadings.ParseMeminfo(await File.ReadAllTextAsync("/proc/meminfo"))
                     ?? throw new InvalidDataException("/proc/meminfo has no MemTotal or MemAvailable");
        var domains = new Dictionary<string, ProcessCpu?>();
        foreach (var name in running.Concat(pids.Keys).Distinct())
            domains[name] = pids.TryGetValue(name, out var pid) ? ReadProcess(pid) : null;
        return new LoadReading(DateTimeOffset.UtcNow, cpu, memory, domains);
    }

    private static ProcessCpu? ReadProcess(int pid)
    {
        try { return ProcReadings.ParseProcessStat(File.ReadAllText($"/proc/{pid}/stat")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; } // it just ended
    }
}
