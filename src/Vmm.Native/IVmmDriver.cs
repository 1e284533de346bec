namespace Vmm.Native;

/// <summary>
/// Starts and re-adopts VMM processes (one per running domain) on this server.
/// Implementations: <see cref="Qemu.QemuDriver"/> (real QEMU over QMP) and
/// <see cref="Simulated.SimulatedDriver"/> (in-process, for tests and scale runs).
/// </summary>
public interface IVmmDriver
{
    /// <summary>"qemu" or "simulated": shown on the server entity.</summary>
    string Name { get; }

    /// <summary>Creates a disk image (qcow2 for QEMU) of the given size; fails if the file exists.</summary>
    Task CreateDiskAsync(string path, long sizeBytes, CancellationToken ct);

    /// <summary>Starts a new VMM for the domain. Returns once the VMM answers its control channel and runs.</summary>
    Task<IVmmProcess> StartAsync(VmmLaunchSpec spec, CancellationToken ct);

    /// <summary>
    /// Finds a VMM of this domain that is still alive in <see cref="VmmLaunchSpec.RunDir"/> (after a restart of
    /// the node) and takes control of it again; null when there is none. Never adopts a process that is not
    /// this domain's VMM (pids wrap).
    /// </summary>
    Task<IVmmProcess?> TryAdoptAsync(VmmLaunchSpec spec, CancellationToken ct);
}

/// <summary>
/// One live VMM process of one domain.
/// <see cref="IAsyncDisposable.DisposeAsync"/> DETACHES, it does not stop the VMM: it closes the control
/// channel (QMP) and stops watching the process, which keeps running and can be re-adopted with
/// <see cref="IVmmDriver.TryAdoptAsync"/> (by this or a new driver instance, e.g. after a node restart).
/// To stop the VMM, use <see cref="PowerDownAsync"/> or <see cref="KillAsync"/> first. After disposal,
/// <see cref="Exited"/> is canceled (unless the process had already ended) and other members throw.
/// </summary>
public interface IVmmProcess : IAsyncDisposable
{
    int Pid { get; }

    /// <summary>
    /// Completes when the process has gone, for whatever reason (detected within a second, also for an adopted
    /// process that is not our child and for kill -9 from outside). Expected is true when the VMM reported an
    /// orderly shutdown (QMP SHUTDOWN: guest power-off, quit) or exited with code 0.
    /// </summary>
    Task<VmmExit> Exited { get; }

    Task<VmmRunState> QueryStatusAsync(CancellationToken ct);
    Task PauseAsync(CancellationToken ct);
    Task ResumeAsync(CancellationToken ct);

    /// <summary>ACPI power button. A guest may ignore it: callers time out and then <see cref="KillAsync"/>.</summary>
    Task PowerDownAsync(CancellationToken ct);

    /// <summary>Kills the VMM at once (SIGKILL after checking it is still our process) and waits for it to go.</summary>
    Task KillAsync();
}

/// <summary>Everything a driver needs to run one domain.</summary>
/// <param name="DomainName">Appears in QEMU's -name.</param>
/// <param name="DiskPaths">Disk images that exist already (see <see cref="IVmmDriver.CreateDiskAsync"/>).</param>
/// <param name="RunDir">Per-domain directory: QMP socket, pid file, serial log.</param>
public sealed record VmmLaunchSpec(
    string DomainName,
    int Vcpus,
    int MemoryMiB,
    IReadOnlyList<string> DiskPaths,
    string? Kernel,
    string? Initrd,
    string? Cmdline,
    string RunDir)
{
    public string SerialLogPath => Path.Combine(RunDir, "serial.log");
}

public enum VmmRunState { Running, Paused, Prelaunch, Shutdown, Other }

/// <summary>How a VMM process ended.</summary>
/// <param name="Reason">Short and readable: "guest-shutdown", "host-qmp-quit", "killed by signal 9", "exit code 1".</param>
/// <param name="Expected">True when the VMM reported an orderly shutdown before it went (guest power-off, quit).</param>
public sealed record VmmExit(int? ExitCode, int? Signal, string Reason, bool Expected);

/// <summary>A VMM could not do what was asked; the message names what failed.</summary>
public sealed class VmmException(string message, Exception? inner = null) : Exception(message, inner);
