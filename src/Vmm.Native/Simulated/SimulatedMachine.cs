namespace Vmm.Native.Simulated;

/// <summary>The state of one simulated VMM "process", shared by every handle (start and adoptions) on it.</summary>
internal sealed class SimulatedMachine(int pid, VmmLaunchSpec spec, bool honoursPowerDown, TimeSpan powerDownDelay)
{
    private readonly object _gate = new();
    private readonly TaskCompletionSource<VmmExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private VmmRunState _state = VmmRunState.Running;
    private bool _exiting;

    public int Pid { get; } = pid;
    public VmmLaunchSpec Spec { get; } = spec;
    public bool GuestHonoursPowerDown { get; set; } = honoursPowerDown;
    public TimeSpan PowerDownDelay { get; set; } = powerDownDelay;
    public Task<VmmExit> Exited => _exited.Task;
    public int PowerDownRequests { get; private set; }

    /// <summary>Runs before <see cref="Exited"/> completes (the driver forgets the machine).</summary>
    public Action<SimulatedMachine>? OnExit { get; set; }

    public VmmRunState State
    {
        get { lock (_gate) return _state; }
    }

    /// <summary>The incoming port while this machine waits for a live migration (then its state is Other: inmigrate).</summary>
    public int? IncomingPort { get; set; }

    /// <summary>The options of the driver that started it (migration delay and failure hook).</summary>
    public SimulatedDriverOptions Options { get; init; } = new();

    /// <summary>Sets the state unless the machine has exited (live migration: inmigrate/postmigrate are Other).</summary>
    public void SetState(VmmRunState to, string command) => Transition(to, command);

    public void Pause() => Transition(VmmRunState.Paused, "stop");
    public void Resume() => Transition(VmmRunState.Running, "cont");

    private void Transition(VmmRunState to, string command)
    {
        lock (_gate)
        {
            ThrowIfExited(command);
            _state = to;
        }
    }

    public void PowerDown()
    {
        bool honour;
        TimeSpan delay;
        lock (_gate)
        {
            ThrowIfExited("system_powerdown");
            PowerDownRequests++;
            // A paused guest cannot react to the button until it runs again (as with QEMU).
            honour = GuestHonoursPowerDown && _state == VmmRunState.Running;
            delay = PowerDownDelay;
        }
        if (!honour) return;
        if (delay <= TimeSpan.Zero) Exit(new VmmExit(0, null, "guest-shutdown", true));
        else _ = Task.Delay(delay).ContinueWith(_ => Exit(new VmmExit(0, null, "guest-shutdown", true)), TaskScheduler.Default);
    }

    public void Exit(VmmExit exit)
    {
        lock (_gate)
        {
            if (_exited.Task.IsCompleted || _exiting) return;
            _exiting = true;
            _state = VmmRunState.Shutdown;
        }
        OnExit?.Invoke(this);
        _exited.TrySetResult(exit);
    }

    private void ThrowIfExited(string command)
    {
        if (_exiting || _exited.Task.IsCompleted)
            throw new VmmException($"domain {Spec.DomainName}: simulated VMM (pid {Pid}) has exited; cannot {command}");
    }
}
