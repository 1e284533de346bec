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
