using System.Text;

namespace Vmm.Native.Qemu;

/// <summary>The files of one domain's VMM in its run directory.</summary>
public sealed record QemuRunPaths(string RunDir)
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    public const int MaxSocketPathBytes = 107;

    public string QmpSocket => Path.Combine(RunDir, "qmp.sock");
    public string PidFile => Path.Combine(RunDir, "qemu.pid");
    public string QemuLog => Path.Combine(RunDir, "qemu.log");
    public string SerialLog => Path.Combine(RunDir, "serial.log");

    /// <summary>The run directory as an absolute path without a trailing separator (the same on start and adopt).</summary>
    public static QemuRunPaths For(VmmLaunchSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.RunDir))
            throw new VmmException("RunDir is empty");
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(spec.RunDir));
        var paths = new QemuRunPaths(full);
        var socketBytes = Encoding.UTF8.GetByteCount(paths.QmpSocket);
        if (socketBytes > MaxSocketPathBytes)
            throw new VmmException($"QMP socket path {paths.QmpSocket} is {socketBytes} bytes; Unix sockets allow at most {MaxSocketPathBytes}: use a shorter RunDir");
        return paths;
    }

    /// <summary>Last non-empty line of qemu.log (QEMU's own error output), or null.</summary>
    public string? LastLogLine()
    {
        try
        {
            if (!File.Exists(QemuLog)) return null;
            return File.ReadLines(QemuLog).LastOrDefault(l => !string.IsNullOrWhiteSpace(l))?.Trim();
        }
        catch (IOException) { return null; }
    }
}
