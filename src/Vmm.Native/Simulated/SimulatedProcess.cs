namespace Vmm.Native.Simulated;

/// <summary>
/// A handle on a simulated VMM. Like <see cref="Qemu.QemuProcess"/>, <see cref="DisposeAsync"/> detaches
/// (the machine keeps "running" in its driver and can be adopted again); <see cref="Exited"/> of a detached
/// handle is canceled.
/// </summary>
public sealed class SimulatedProcess : IVmmProcess
{
    private readonly SimulatedMachine _machine;
    private readonly TaskCompletionSource<VmmExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    internal SimulatedProcess(SimulatedMachine machine)
    {
        _machine = machine;
        _ = machine.Exited.ContinueWith(t => _exited.TrySetResult(t.Result), TaskScheduler.Default);
    }

    public int Pid => _machine.Pid;
    public string DomainName => _machine.Spec.DomainName;
    public Task<VmmExit> Exited => _exited.Task;

    /// <summary>The current state without a round trip (tests).</summary>
    public VmmRunState State => _machine.State;

    /// <summary>Whether this guest powers off on the ACPI button.</summary>
    public bool GuestHonoursPowerDown
    {
        get => _machine.GuestHonoursPowerDown;
        set => _machine.GuestHonoursPowerDown = value;
    }

    /// <summary>How many times the power button was pressed.</summary>
    public int PowerDownRequests => _machine.PowerDownRequests;

    public Task<VmmRunState> QueryStatusAsync(CancellationToken ct) => Run(() => _machine.State);
    public Task PauseAsync(CancellationToken ct) => Run(_machine.Pause);
    public Task ResumeAsync(CancellationToken ct) => Run(_machine.Resume);
    public Task PowerDownAsync(CancellationToken ct) => Run(_machine.PowerDown);

    public async Task KillAsync()
    {
        ThrowIfDisposed();
        _machine.Exit(new VmmExit(null, 9, "killed by signal 9", false));
        await _machine.Exited.ConfigureAwait(false);
    }

    /// <summary>
    /// Migrates to the simulated incoming VMM on <paramref name="port"/> (any driver instance in this process) after
    /// <see cref="SimulatedDriverOptions.MigrationDelay"/> of the source's driver. On success the source is in state
    /// Other (postmigrate) and the target Paused; on failure (no listener, <see cref="SimulatedDriverOptions.MigrationFailure"/>,
    /// timeout, cancellation, target gone) the target exits with code 1 and the source keeps its state.
    /// </summary>
    public async Task<MigrationResult> MigrateAsync(string host, int port, MigrationSettings settings,
        IProgress<MigrationProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ThrowIfDisposed();
        if (string.IsNullOrWhiteSpace(host)) throw new VmmException($"migration host '{host}' is not a host name or address");
        if (port is < 1 or > 65535) throw new VmmException($"migration port must be 1 to 65535, got {port}");
        if (settings.Timeout <= TimeSpan.Zero) throw new VmmException($"migration timeout must be positive, got {settings.Timeout}");
        var what = $"live migration of domain {DomainName} (pid {Pid}) to {host}:{port}";
        var state = _machine.State;
        if (_machine.Exited.IsCompleted || state is not (VmmRunState.Running or VmmRunState.Paused))
            throw new VmmException($"{what}: cannot migrate a VMM in state {state}");
        if (!SimulatedDriver.Incoming.TryGetValue(port, out var target) || target.Exited.IsCompleted || target == _machine)
            throw new VmmException($"{what} failed: Failed to connect socket: Connection refused");

        var total = (long)_machine.Spec.MemoryMiB << 20;
        var options = _machine.Options;
        progress?.Report(new MigrationProgress("setup", 0, total, total));
        string? failure = null;
        Exception? inner = null;
        try
        {
            if (options.MigrationDelay > settings.Timeout)
            {
                await Task.Delay(settings.Timeout, ct).ConfigureAwait(false);
                failure = $"timed out after {settings.Timeout.TotalSeconds:0.###} s (status active, 0 of {total} bytes sent, {total} remaining)";
            }
            else
            {
                progress?.Report(new MigrationProgress("active", 0, total, total));
                if (options.MigrationDelay > TimeSpan.Zero) await Task.Delay(options.MigrationDelay, ct).ConfigureAwait(false);
                failure = options.MigrationFailure?.Invoke(_machine.Spec, port);
            }
        }
        catch (OperationCanceledException e) when (ct.IsCancellationRequested)
        {
            failure = "canceled";
            inner = e;
        }
        if (failure is null && target.Exited.IsCompleted) failure = "Unable to write to socket: Broken pipe (the target has gone)";
        if (failure is null && _machine.Exited.IsCompleted) failure = "the source VMM has exited";
        if (failure is not null)
        {
            target.Exit(new VmmExit(1, null, "exit code 1: load of migration failed: Input/output error", false));
            throw new VmmException($"{what} failed: {failure}", inner);
        }

        SimulatedDriver.Incoming.TryRemove(new KeyValuePair<int, SimulatedMachine>(port, target));
        target.IncomingPort = null;
        target.SetState(VmmRunState.Paused, "migration");
        _machine.SetState(VmmRunState.Other, "migration");
        progress?.Report(new MigrationProgress("completed", total, total, 0));
        return new MigrationResult(options.MigrationDelay, TimeSpan.Zero, total);
    }

    /// <summary>Test hook: the VMM dies unexpectedly (as if QEMU crashed or was kill -9'd from outside).</summary>
    public void Crash(int signal = 9) => _machine.Exit(new VmmExit(null, signal, $"killed by signal {signal}", false));

    /// <summary>Test hook: QEMU exits on its own with an error code.</summary>
    public void ExitWithCode(int code) => _machine.Exit(new VmmExit(code, null, $"exit code {code}", code == 0));

    private Task Run(Action action)
    {
        ThrowIfDisposed();
        action();
        return Task.CompletedTask;
    }

    private Task<T> Run<T>(Func<T> func)
    {
        ThrowIfDisposed();
        if (_machine.Exited.IsCompleted)
            throw new VmmException($"domain {DomainName}: simulated VMM (pid {Pid}) has exited");
        return Task.FromResult(func());
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>Detaches; the simulated VMM keeps running.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _exited.TrySetCanceled();
        return ValueTask.CompletedTask;
    }
}
