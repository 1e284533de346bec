namespace Vmm.Native;

/// <summary>
/// Chooses QEMU's accelerator. KVM counts as usable only when /dev/kvm opens read-write AND the CPU flags
/// show vmx or svm (a nested /dev/kvm without them fails on real guests, see QEMU.md). The environment
/// variable <c>VMC_ACCEL=tcg|kvm</c> overrides the probe.
/// </summary>
public static class HypervisorProbe
{
    public const string EnvironmentVariable = "VMC_ACCEL";

    /// <summary>"kvm" or "tcg" for this machine.</summary>
    public static string Detect() =>
        Decide(Environment.GetEnvironmentVariable(EnvironmentVariable), KvmDeviceOpens(), ReadCpuInfo());

    /// <summary>The pure decision, for tests: override first, then device and CPU flags.</summary>
    public static string Decide(string? accelOverride, bool kvmDeviceOpens, string cpuinfo)
    {
        if (!string.IsNullOrWhiteSpace(accelOverride))
        {
            var v = accelOverride.Trim().ToLowerInvariant();
            if (v is "tcg" or "kvm") return v;
            throw new VmmException($"{EnvironmentVariable}='{accelOverride}' is not valid: use tcg or kvm");
        }
        return kvmDeviceOpens && CpuHasVirtualization(cpuinfo) ? "kvm" : "tcg";
    }

    /// <summary>True when a "flags" line of /proc/cpuinfo has vmx (Intel VT-x) or svm (AMD-V).</summary>
    public static bool CpuHasVirtualization(string cpuinfo)
    {
        foreach (var line in cpuinfo.Split('\n'))
        {
            if (!line.StartsWith("flags", StringComparison.Ordinal)) continue;
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            var flags = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (flags.Contains("vmx") || flags.Contains("svm")) return true;
        }
        return false;
    }

    public static bool KvmDeviceOpens()
    {
        try
        {
            using var f = new FileStream("/dev/kvm", FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    private static string ReadCpuInfo()
    {
        try { return File.ReadAllText("/proc/cpuinfo"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }
}
