namespace Vmm.Native.Qemu;

/// <summary>Builds and recognises the QEMU command line of one domain.</summary>
public static class QemuCommandLine
{
    /// <summary>Arguments after the binary. Validates the spec (clear errors naming the field or path).</summary>
    public static IReadOnlyList<string> Build(VmmLaunchSpec spec, QemuRunPaths paths, string accelerator)
    {
        ValidateDomainName(spec.DomainName);
        if (spec.Vcpus < 1) throw new VmmException($"Vcpus must be at least 1, got {spec.Vcpus}");
        if (spec.MemoryMiB < 16) throw new VmmException($"MemoryMiB must be at least 16, got {spec.MemoryMiB}");
        if (accelerator is not ("tcg" or "kvm") && !accelerator.StartsWith("tcg,", StringComparison.Ordinal) && !accelerator.StartsWith("kvm,", StringComparison.Ordinal))
            throw new VmmException($"accelerator must be tcg or kvm, got '{accelerator}'");
        RefuseComma(paths.RunDir, "RunDir");

        var args = new List<string>
        {
            "-machine", "q35",
            "-accel", accelerator,
            "-m", spec.MemoryMiB.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-smp", spec.Vcpus.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-nodefaults", "-nographic", "-display", "none",
            "-msg", "timestamp=on",
            "-serial", "file:" + paths.SerialLog,
            "-qmp", $"unix:{paths.QmpSocket},server=on,wait=off",
            "-name", spec.DomainName,
            "-pidfile", paths.PidFile,
        };
        foreach (var disk in spec.DiskPaths)
        {
            var full = Path.GetFullPath(disk);
            RefuseComma(full, "disk path");
            if (!File.Exists(full)) throw new VmmException($"disk image {full} does not exist");
            args.AddRange(["-drive", $"file={full},format=qcow2,if=virtio"]);
        }
        if (spec.Kernel is not null)
        {
            var kernel = Path.GetFullPath(spec.Kernel);
            if (!File.Exists(kernel)) throw new VmmException($"kernel {kernel} does not exist");
            args.AddRange(["-kernel", kernel]);
            if (spec.Initrd is not null)
            {
                var initrd = Path.GetFullPath(spec.Initrd);
                if (!File.Exists(initrd)) throw new VmmException($"initrd {initrd} does not exist");
                args.AddRange(["-initrd", initrd]);
            }
            if (spec.Cmdline is not null) args.AddRange(["-append", spec.Cmdline]);
        }
        else if (spec.Initrd is not null || spec.Cmdline is not null)
        {
            throw new VmmException("Initrd and Cmdline need a Kernel");
        }
        return args;
    }

    /// <summary>True when argv is a qemu-system process with -name DOMAIN and -pidfile in this run dir.</summary>
    public static bool IsOurs(IReadOnlyList<string> argv, string domainName, QemuRunPaths paths)
    {
        if (argv.Count == 0 || !Path.GetFileName(argv[0]).StartsWith("qemu-system", StringComparison.Ordinal)) return false;
        return ValueAfter(argv, "-name") == domainName && ValueAfter(argv, "-pidfile") == paths.PidFile;
    }

    private static string? ValueAfter(IReadOnlyList<string> argv, string option)
    {
        for (var i = 0; i < argv.Count - 1; i++)
            if (argv[i] == option) return argv[i + 1];
        return null;
    }

    public static void ValidateDomainName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new VmmException("DomainName is empty");
        if (name.Any(c => c is ',' or '=' || char.IsControl(c) || char.IsWhiteSpace(c)))
            throw new VmmException($"DomainName '{name}' must not contain ',', '=', whitespace or control characters");
    }

    private static void RefuseComma(string path, string what)
    {
        if (path.Contains(',')) throw new VmmException($"{what} {path} contains ',' which QEMU options cannot take");
    }
}
