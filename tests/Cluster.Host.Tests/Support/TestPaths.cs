using System.Diagnostics;

namespace Cluster.Host.Tests.Support;

/// <summary>Where the repo, the built node and vmc, and the tiny guest are.</summary>
public static class TestPaths
{
    public static readonly string RepoRoot = FindRepoRoot();

    /// <summary>Debug or Release: whatever this test assembly was built as.</summary>
    public static readonly string Configuration =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string HostDll => Built("Cluster.Host", "Cluster.Host.dll");
    public static string VmcDll => Built("Cluster.Cli", "vmc.dll");

    private static string Built(string project, string file)
    {
        var path = Path.Combine(RepoRoot, "src", project, "bin", Configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution first", path);
    }

    private static readonly Lazy<(string Kernel, string Initrd)> Guest = new(() =>
    {
        var dir = Path.Combine(RepoRoot, ".guest");
        var kernel = Path.Combine(dir, "vmlinuz");
        var initrd = Path.Combine(dir, "initrd.gz");
        // build.sh is idempotent and returns at once when the guest is up to date (it rebuilds an older version).
        {
            using var build = Process.Start(new ProcessStartInfo("bash", [Path.Combine(RepoRoot, "ops", "guest", "build.sh"), dir])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var err = build.StandardError.ReadToEndAsync();
            build.StandardOutput.ReadToEnd();
            build.WaitForExit();
            if (build.ExitCode != 0) throw new InvalidOperationException($"ops/guest/build.sh failed: {err.Result}");
        }
        return (kernel, initrd);
    });

    /// <summary>The tiny real guest (Debian cloud kernel + busybox initramfs), built on first use.</summary>
    public static (string Kernel, string Initrd) TinyGuest => Guest.Value;

    /// <summary>A short temp dir (QMP socket paths must stay under 108 bytes).</summary>
    public static string NewTempDir()
    {
        var dir = Path.Combine("/tmp", "vmct-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException("Actors.sln not found above " + AppContext.BaseDirectory);
    }
}
