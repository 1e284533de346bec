using System.Diagnostics;
using Vmm.Native.Linux;
using Vmm.Native.Qemu;

namespace Vmm.Native.Tests;

/// <summary>Where the repository is, and the tiny guest built from it (once per test run).</summary>
public static class TestEnvironment
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Actors.sln above {AppContext.BaseDirectory}");
    });

    private static readonly Lazy<(string Kernel, string Initrd)> Guest = new(BuildGuest, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string RepoRoot => Root.Value;

    /// <summary>vmlinuz and initrd.gz of the tiny guest; runs ops/guest/build.sh when they are missing.</summary>
    public static (string Kernel, string Initrd) TinyGuest => Guest.Value;

    private static (string, string) BuildGuest()
    {
        var dir = Path.Combine(RepoRoot, ".guest");
        var kernel = Path.Combine(dir, "vmlinuz");
        var initrd = Path.Combine(dir, "initrd.gz");
        // No shortcut when the files exist: build.sh returns at once when they are this version, rebuilds when older.
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(RepoRoot, "ops", "guest", "build.sh"));
        psi.ArgumentList.Add(dir);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"ops/guest/build.sh failed ({p.ExitCode}): {stdout.Result}\n{stderr}");
        return (kernel, initrd);
    }

    /// <summary>Runs a command to completion; returns (exit code, stdout + stderr).</summary>
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }

    /// <summary>Polls until the condition holds or the deadline passes; returns whether it held.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan deadline, int everyMs = 20)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < deadline)
        {
            if (condition()) return true;
            await Task.Delay(everyMs);
        }
        return condition();
    }
}

/// <summary>
/// A short temporary run directory (/tmp/vmt-XXXXXXXX) for one test. Dispose kills any QEMU that still runs
/// in it (checked by its command line), even when the test failed, and removes the directory.
/// </summary>
public sealed class TempRun : IAsyncDisposable
{
    private readonly List<IVmmProcess> _processes = [];

    public string Dir { get; } = Path.Combine("/tmp", "vmt-" + Guid.NewGuid().ToString("N")[..8]);

    public TempRun() => Directory.CreateDirectory(Dir);

    public VmmLaunchSpec Spec(string domain = "dom1", int memoryMiB = 64, string? kernel = null, string? initrd = null,
        string? cmdline = null, IReadOnlyList<string>? disks = null, string sub = "run") =>
        new(domain, 1, memoryMiB, disks ?? [], kernel, initrd, cmdline, Path.Combine(Dir, sub));

    public T Track<T>(T process) where T : IVmmProcess
    {
        lock (_processes) _processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try { if (!p.Exited.IsCompleted) await p.KillAsync(); } catch (Exception) { }
            try { await p.DisposeAsync(); } catch (Exception) { }
        }
        // Anything else left in the run dirs (detached or foreign-started QEMUs).
        foreach (var pidFile in Directory.EnumerateFiles(Dir, "qemu.pid", SearchOption.AllDirectories))
        {
            if (!int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) continue;
            var argv = ProcFs.ReadCmdline(pid);
            if (argv.Count > 0 && Path.GetFileName(argv[0]).StartsWith("qemu-system", StringComparison.Ordinal) && argv.Contains(pidFile))
                LibC.Kill(pid, LibC.SIGKILL);
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
