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

    /// <summary>
    /// Starts a VMM for the domain that waits for an incoming live migration on 127.0.0.1:<paramref name="port"/>
    /// (QEMU: the same command line as <see cref="StartAsync"/> plus <c>-incoming tcp:127.0.0.1:PORT</c> and <c>-S</c>,
    /// so that after the migration it stays paused until <see cref="IVmmProcess.ResumeAsync"/>). Returns once the
    /// VMM answers its control channel and listens (QEMU state <c>inmigrate</c>, reported as
    /// <see cref="VmmRunState.Other"/>). Disk images must exist (the caller creates empty ones of the same sizes when
    /// disks are copied). Uses the same run dir files (pid file, QMP socket, serial log) as <see cref="StartAsync"/>,
    /// so the VMM can be detached and re-adopted with <see cref="TryAdoptAsync"/>. If the migration fails or is
    /// canceled, the incoming VMM exits on its own (QEMU does): the caller disposes it.
    /// </summary>
    /// <remarks>The default implementation refuses (drivers written before live migration existed).</remarks>
    Task<IVmmProcess> StartIncomingAsync(VmmLaunchSpec spec, int port, CancellationToken ct) =>
        Task.FromException<IVmmProcess>(new VmmException($"the {Name} driver cannot receive live migrations"));
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

    /// <summary>
    /// Live-migrates this (running or paused) VMM to an incoming VMM (see <see cref="IVmmDriver.StartIncomingAsync"/>)
    /// at <paramref name="host"/>:<paramref name="port"/> and returns when the VMM reports the migration completed:
    /// the source is then stopped (QEMU state <c>postmigrate</c>, reported as <see cref="VmmRunState.Other"/>) and
    /// must be killed or quit by the caller; the target is paused until it is resumed. Reports progress about every
    /// 100 ms. On failure, timeout or cancellation it cancels the migration, waits until the source runs again (if it
    /// was running) and throws <see cref="VmmException"/> naming the reason (QMP's error text, "timed out after N s",
    /// "canceled"; for cancellation the inner exception is the <see cref="OperationCanceledException"/>).
    /// </summary>
    Task<MigrationResult> MigrateAsync(string host, int port, MigrationSettings settings, IProgress<MigrationProgress>? progress, CancellationToken ct);
}

/// <summary>How to live-migrate.</summary>
/// <param name="Timeout">From the start of the transfer to completion; then the migration is canceled.</param>
/// <param name="MaxBandwidthBytesPerSecond">QEMU's max-bandwidth (its default, 128 MiB/s, may never converge).</param>
/// <param name="AutoConverge">Throttle the guest's vCPUs when its memory is dirtied faster than it is sent.</param>
/// <param name="CopyDisks">Copy the disks' content into the target's (empty, same size) images; false means shared storage.</param>
public sealed record MigrationSettings(TimeSpan Timeout, long MaxBandwidthBytesPerSecond, bool AutoConverge, bool CopyDisks)
{
    public static readonly MigrationSettings Default = new(TimeSpan.FromMinutes(2), 1L << 30, true, true);
}

/// <summary>One progress report: QEMU's status (setup, active, completed, ...) and RAM plus disk byte counters.</summary>
public sealed record MigrationProgress(string Status, long TransferredBytes, long TotalBytes, long RemainingBytes);

/// <summary>Total and Downtime as QEMU measured them (query-migrate: total-time, downtime).</summary>
public sealed record MigrationResult(TimeSpan Total, TimeSpan Downtime, long TransferredBytes);

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
