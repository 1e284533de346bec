using System.Diagnostics;
using System.Globalization;

namespace Actors.Servers.Fencing;

/// <summary>
/// Starts <c>ops/watchdog.sh</c> for one data dir in its own session (<c>setsid</c>), stdin from /dev/null and
/// stdout/stderr appended to a log file, so that it outlives the host: neither the host's death nor a signal to its
/// process group reaches it, and no pipe to the host can break under it. One watchdog per data dir: starting
/// another replaces the running one (the script does that through <c>DATA_DIR/fencing/watchdog.pid</c>).
/// <see cref="Stop"/> asks it to exit by creating <c>DATA_DIR/fencing/watchdog.stop</c>.
/// </summary>
/// <param name="scriptPath">Path of <c>watchdog.sh</c>.</param>
/// <param name="dataDir">The node's data dir; the watchdog kills <c>qemu-system*</c> processes under <c>DATA_DIR/domains/</c>.</param>
/// <param name="timeout">Heartbeat age after which the watchdog fences (<see cref="FencingSettings.WatchdogTimeout"/>).</param>
/// <param name="logFile">Where its stdout/stderr go; default <c>DATA_DIR/fencing/watchdog.out</c>.</param>
public sealed class WatchdogLauncher(string scriptPath, string dataDir, TimeSpan timeout, string? logFile = null)
{
    public string ScriptPath { get; } = Path.GetFullPath(scriptPath);
    public string DataDir { get; } = Path.GetFullPath(dataDir).TrimEnd('/') is { Length: > 0 } d ? d : "/";
    public TimeSpan Timeout { get; } = timeout > TimeSpan.Zero ? timeout : throw new ArgumentOutOfRangeException(nameof(timeout));
    public string FencingDir => Path.Combine(DataDir, "fencing");
    public string PidFile => Path.Combine(FencingDir, "watchdog.pid");
    public string StopFile => Path.Combine(FencingDir, "watchdog.stop");
    public string LogFile { get; } = logFile ?? Path.Combine(Path.GetFullPath(dataDir), "fencing", "watchdog.out");

    /// <summary>
    /// Starts the watchdog, detached, and returns its process id (setsid and the shell exec in place, so it is the
    /// script's pid). <paramref name="hostPid"/> is only logged by the watchdog; default: this process.
    /// </summary>
    public int Start(int? hostPid = null)
    {
        if (!File.Exists(ScriptPath)) throw new FileNotFoundException($"watchdog script not found: {ScriptPath}", ScriptPath);
        Directory.CreateDirectory(FencingDir);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(LogFile))!);
        TryDelete(StopFile);
        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
            WorkingDirectory = "/",
        };
        // setsid: a new session and process group. The shell replaces itself with the script after pointing its
        // standard streams away from the host's.
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec bash \"$0\" \"$@\" </dev/null >>\"$VMC_WATCHDOG_LOG\" 2>&1");
        start.ArgumentList.Add(ScriptPath);
        start.ArgumentList.Add(DataDir);
        start.ArgumentList.Add(((long)Math.Ceiling(Timeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add((hostPid ?? Environment.ProcessId).ToString(CultureInfo.InvariantCulture));
        start.Environment["VMC_WATCHDOG_LOG"] = Path.GetFullPath(LogFile);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the watchdog");
        return process.Id;
    }

    /// <summary>Asks the running watchdog to exit (it does within ~250 ms and removes the stop file).</summary>
    public void Stop()
    {
        Directory.CreateDirectory(FencingDir);
        File.WriteAllText(StopFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
    }

    /// <summary>The pid in <c>watchdog.pid</c> if that process is alive and is this data dir's watchdog; else null.</summary>
    public int? RunningPid()
    {
        try
        {
            if (!int.TryParse(File.ReadAllText(PidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                return null;
            var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            for (var i = 0; i < args.Length - 1; i++)
                if (args[i].EndsWith("watchdog.sh", StringComparison.Ordinal) && args[i + 1].TrimEnd('/') == DataDir)
                    return pid;
            return null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
    }
}
