namespace Vmm.Native.Simulated;

/// <summary>How the simulated VMMs behave.</summary>
public sealed record SimulatedDriverOptions
{
    /// <summary>Whether guests power off on the ACPI power button (each process can change it later).</summary>
    public bool GuestHonoursPowerDown { get; init; } = true;

    /// <summary>How long a guest takes from the power button to exiting.</summary>
    public TimeSpan PowerDownDelay { get; init; } = TimeSpan.Zero;

    /// <summary>How long StartAsync takes (QEMU answers QMP after about 50 ms).</summary>
    public TimeSpan StartDelay { get; init; } = TimeSpan.Zero;

    /// <summary>When it returns a message for a spec, StartAsync fails with that message (a VmmException).</summary>
    public Func<VmmLaunchSpec, string?>? StartFailure { get; init; }

    /// <summary>How long a live migration takes (MigrateAsync on a process of this driver; longer than its timeout fails).</summary>
    public TimeSpan MigrationDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// When it returns a message for the source's spec (and the target's port), MigrateAsync fails with that message
    /// after <see cref="MigrationDelay"/>, like QEMU's error-desc: the source keeps running, the target exits.
    /// </summary>
    public Func<VmmLaunchSpec, int, string?>? MigrationFailure { get; init; }
}
