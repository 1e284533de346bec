namespace Vmm.Native.Qemu;

/// <summary>Settings of <see cref="QemuDriver"/>; the defaults fit a Debian 12 server.</summary>
public sealed record QemuDriverOptions
{
    /// <summary>Looked up on PATH unless absolute.</summary>
    public string QemuBinary { get; init; } = "qemu-system-x86_64";
    public string QemuImgBinary { get; init; } = "qemu-img";

    /// <summary>"tcg" or "kvm" (options allowed, e.g. "tcg,tb-size=16"); null asks <see cref="HypervisorProbe"/>.</summary>
    public string? Accelerator { get; init; }

    /// <summary>From exec to QMP answering "running".</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Where an incoming live migration listens: this server's address that other servers reach (the node's
    /// cluster host), never a wildcard.
    /// </summary>
    public string MigrationHost { get; init; } = "127.0.0.1";

    /// <summary>For the QMP greeting when adopting or starting.</summary>
    public TimeSpan QmpHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
