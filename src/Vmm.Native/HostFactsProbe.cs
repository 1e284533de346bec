using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Vmm.Native;

/// <summary>Measures <see cref="HostFacts"/> once at node start.</summary>
public static partial class HostFactsProbe
{
    /// <param name="vmmDriver">The driver's <see cref="IVmmDriver.Name"/>.</param>
    /// <param name="qemuBinary">Asked for its version; null version when it is not installed.</param>
    public static async Task<HostFacts> ProbeAsync(string vmmDriver, CancellationToken ct, string qemuBinary = "qemu-system-x86_64")
    {
        var memInfo = File.Exists("/proc/meminfo") ? await File.ReadAllTextAsync("/proc/meminfo", ct).ConfigureAwait(false) : "";
        return new HostFacts(
            Environment.ProcessorCount,
            ParseMemTotalMiB(memInfo),
            HypervisorProbe.Detect(),
            await QemuVersionAsync(qemuBinary, ct).ConfigureAwait(false),
            vmmDriver);
    }

    /// <summary>MemTotal of /proc/meminfo (in kB there) in MiB; 0 when absent.</summary>
    public static long ParseMemTotalMiB(string meminfo)
    {
        var m = MemTotalRegex().Match(meminfo);
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) / 1024 : 0;
    }

    /// <summary>"7.2.22" from "QEMU emulator version 7.2.22 (Debian ...)"; null when not recognised.</summary>
    public static string? ParseQemuVersion(string versionOutput)
    {
        var m = QemuVersionRegex().Match(versionOutput);
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>Runs <c>BINARY --version</c>; null when QEMU is not installed or says nothing we understand.</summary>
    public static async Task<string?> QemuVersionAsync(string qemuBinary, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(qemuBinary, "--version")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        try
        {
            using var p = Process.Start(psi);
            if (p is null) return null;
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEndAsync(ct);
            var stderr = p.StandardError.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct).ConfigureAwait(false);
            await stderr.ConfigureAwait(false);
            return ParseQemuVersion(await stdout.ConfigureAwait(false));
        }
        catch (Win32Exception)
        {
            return null; // not installed / not on PATH
        }
    }

    [GeneratedRegex(@"^MemTotal:\s+(\d+)\s*kB", RegexOptions.Multiline)]
    private static partial Regex MemTotalRegex();

    [GeneratedRegex(@"QEMU emulator version (\d+\.\d+(?:\.\d+)?)")]
    private static partial Regex QemuVersionRegex();
}
