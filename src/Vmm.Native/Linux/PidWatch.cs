namespace Vmm.Native.Linux;

/// <summary>
/// A handle on one live process that notices its death within a second, whether or not it is our child.
/// Uses pidfd_open + poll (one shared watcher thread for all processes); falls back to polling /proc/PID
/// (with the start time as identity, so a reused pid is not mistaken for ours) when pidfds are unavailable.
/// </summary>
internal sealed class PidWatch : IDisposable
{
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pidfd;            // -1 in fallback mode; owned (closed) by the watcher thread
    private int _disposed;

    public int Pid { get; }
    public long StartTime { get; }
    public bool UsesPidfd { get; }

    /// <summary>Completes when the process has exited; canceled when this watch is disposed first.</summary>
    public Task Exited => _exited.Task;

    internal int PidfdForWatcher => _pidfd;
    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    private PidWatch(int pid, int pidfd, long startTime)
    {
        Pid = pid;
        _pidfd = pidfd;
        StartTime = startTime;
        UsesPidfd = pidfd >= 0;
    }

    /// <summary>Tests only: use the /proc fallback for new watches.</summary>
    internal static bool DisablePidfd { get; set; }

    /// <summary>Opens a watch on a process; null when no such process exists (or it is a zombie).</summary>
    public static PidWatch? Open(int pid)
    {
        if (pid <= 0) return null;
        var fd = DisablePidfd ? -1 : LibC.PidfdOpen(pid);
        if (fd < 0 && !DisablePidfd)
        {
            var errno = LibC.LastErrno;
            if (errno == LibC.ESRCH) return null;
            fd = -1; // ENOSYS, EPERM (seccomp), ...: fall back to /proc
        }
        var stat = ProcFs.ReadStat(pid);
        if (stat is not { } s || s.State is 'Z' or 'X')
        {
            if (fd >= 0) LibC.Close(fd);
            return null;
        }
        var watch = new PidWatch(pid, fd, s.StartTime);
        ExitWatcher.Shared.Add(watch);
        return watch;
    }

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Sends a signal to exactly this process (via the pidfd when there is one). False if it is gone.</summary>
    public bool Signal(int sig)
    {
        if (HasExited) return false;
        if (UsesPidfd)
        {
            lock (this)
            {
                if (_pidfd < 0) return false;
                return LibC.PidfdSendSignal(_pidfd, sig) == 0;
            }
        }
        var stat = ProcFs.ReadStat(Pid);
        if (stat is not { } s || s.StartTime != StartTime) return false;
        return LibC.Kill(Pid, sig) == 0;
    }

    /// <summary>Called by the watcher thread only.</summary>
    internal void MarkExited() => _exited.TrySetResult();

    /// <summary>Called by the watcher thread only: closes the pidfd after it has left the poll set.</summary>
    internal void CloseFd()
    {
        lock (this)
        {
            if (_pidfd >= 0) LibC.Close(_pidfd);
            _pidfd = -1;
        }
    }

    /// <summary>Fallback check: gone, a zombie, or a different process under the same pid.</summary>
    internal bool LooksExited()
    {
        var stat = ProcFs.ReadStat(Pid);
        return stat is not { } s || s.State is 'Z' or 'X' || s.StartTime != StartTime;
    }

    /// <summary>Stops watching (the process is left alone). <see cref="Exited"/> is canceled unless it completed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _exited.TrySetCanceled();
        ExitWatcher.Shared.Wake();
    }
}
