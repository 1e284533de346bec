using System.Collections.Concurrent;

namespace Vmm.Native.Simulated;

/// <summary>
/// An in-process fake VMM driver for unit tests and scale runs: no processes, fake pids (above any real
/// pid_max, so nothing real is ever signalled). Live machines stay in the driver's registry until they exit,
/// so <see cref="TryAdoptAsync"/> on the same instance re-adopts them (an in-process node restart).
/// </summary>
public sealed class SimulatedDriver(SimulatedDriverOptions? options = null) : IVmmDriver
{
    /// <summary>First fake pid; Linux pid_max is at most 4194304.</summary>
    public const int FirstPid = 10_000_000;

    private readonly SimulatedDriverOptions _options = options ?? new SimulatedDriverOptions();
    private readonly ConcurrentDictionary<string, SimulatedMachine> _live = new(StringComparer.Ordinal);
    private int _nextPid = FirstPid;

    public string Name => "simulated";

    /// <summary>How many simulated VMMs are running now.</summary>
    public int LiveCount => _live.Count;

    public Task CreateDiskAsync(string path, long sizeBytes, CancellationToken ct)
    {
        if (sizeBytes <= 0) throw new VmmException($"disk size must be positive, got {sizeBytes} bytes");
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        try
        {
            using var _ = new FileStream(full, FileMode.CreateNew, FileAccess.Write);
        }
        catch (IOException) when (File.Exists(full))
        {
            throw new VmmException($"disk image {full} already exists");
        }
        return Task.CompletedTask;
    }

    public Task<IVmmProcess> StartAsync(VmmLaunchSpec spec, CancellationToken ct) => StartCoreAsync(spec, null, ct);

    /// <summary>
    /// A simulated VMM waiting for a live migration (state <see cref="VmmRunState.Other"/>: inmigrate). The port is
    /// registered process-wide (every driver instance of this process sees it; the host part of the migration address
    /// is not checked), so that simulated servers in one test process can migrate to each other.
    /// </summary>
    public Task<IVmmProcess> StartIncomingAsync(VmmLaunchSpec spec, int port, CancellationToken ct)
    {
        if (port is < 1 or > 65535) throw new VmmException($"incoming migration port must be 1 to 65535, got {port}");
        return StartCoreAsync(spec, port, ct);
    }

    private async Task<IVmmProcess> StartCoreAsync(VmmLaunchSpec spec, int? incomingPort, CancellationToken ct)
    {
        Validate(spec);
        if (_options.StartDelay > TimeSpan.Zero) await Task.Delay(_options.StartDelay, ct).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (_options.StartFailure?.Invoke(spec) is { } failure) throw new VmmException(failure);

        var key = Key(spec);
        var machine = new SimulatedMachine(Interlocked.Increment(ref _nextPid), spec, _options.GuestHonoursPowerDown, _options.PowerDownDelay)
        {
            Options = _options,
            OnExit = m =>
            {
                _live.TryRemove(new KeyValuePair<string, SimulatedMachine>(key, m));
                if (m.IncomingPort is { } p) Incoming.TryRemove(new KeyValuePair<int, SimulatedMachine>(p, m));
            },
        };
        if (!_live.TryAdd(key, machine))
        {
            var existing = _live[key];
            throw new VmmException($"domain {spec.DomainName} already has a running VMM (pid {existing.Pid}) in {spec.RunDir}: adopt it or kill it first");
        }
        if (incomingPort is { } port)
        {
            machine.SetState(VmmRunState.Other, "-incoming");
            machine.IncomingPort = port;
            if (!Incoming.TryAdd(port, machine))
            {
                _live.TryRemove(new KeyValuePair<string, SimulatedMachine>(key, machine));
                throw new VmmException($"simulated VMM for domain {spec.DomainName} exited before it answered: Failed to bind socket: Address already in use (127.0.0.1:{port})");
            }
        }
        return new SimulatedProcess(machine);
    }

    /// <summary>Simulated VMMs waiting for a migration, by port (process-wide: the simulated network).</summary>
    internal static readonly ConcurrentDictionary<int, SimulatedMachine> Incoming = new();

    public Task<IVmmProcess?> TryAdoptAsync(VmmLaunchSpec spec, CancellationToken ct)
    {
        Validate(spec);
        return Task.FromResult<IVmmProcess?>(
            _live.TryGetValue(Key(spec), out var m) && !m.Exited.IsCompleted ? new SimulatedProcess(m) : null);
    }

    private static string Key(VmmLaunchSpec spec) =>
        spec.DomainName + "\0" + Path.TrimEndingDirectorySeparator(Path.GetFullPath(spec.RunDir));

    private static void Validate(VmmLaunchSpec spec)
    {
        Qemu.QemuCommandLine.ValidateDomainName(spec.DomainName);
        if (string.IsNullOrWhiteSpace(spec.RunDir)) throw new VmmException("RunDir is empty");
        if (spec.Vcpus < 1) throw new VmmException($"Vcpus must be at least 1, got {spec.Vcpus}");
        if (spec.MemoryMiB < 16) throw new VmmException($"MemoryMiB must be at least 16, got {spec.MemoryMiB}");
    }
}
