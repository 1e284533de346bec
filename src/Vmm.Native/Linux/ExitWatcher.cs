namespace Vmm.Native.Linux;

/// <summary>One background thread that polls the pidfds of all watched processes.</summary>
internal sealed class ExitWatcher
{
    public static readonly ExitWatcher Shared = new();

    private const int FallbackIntervalMs = 200;
    private readonly object _gate = new();
    private readonly List<PidWatch> _watches = [];
    private int _eventFd = -1;
    private Thread? _thread;

    public void Add(PidWatch watch)
    {
        lock (_gate)
        {
            _watches.Add(watch);
            if (_thread is null)
            {
                _eventFd = LibC.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
                _thread = new Thread(Run) { IsBackground = true, Name = "vmm-exit-watcher" };
                _thread.Start();
            }
        }
        Wake();
    }

    public void Wake()
    {
        int fd;
        lock (_gate) fd = _eventFd;
        if (fd < 0) return;
        ulong one = 1;
        LibC.Write(fd, ref one, sizeof(ulong));
    }

    private void Run()
    {
        while (true)
        {
            List<PidWatch> active;
            int eventFd;
            lock (_gate)
            {
                eventFd = _eventFd;
                for (var i = _watches.Count - 1; i >= 0; i--)
                {
                    var w = _watches[i];
                    if (w.IsDisposed || w.HasExited)
                    {
                        _watches.RemoveAt(i);
                        w.CloseFd();
                    }
                }
                active = [.. _watches];
            }

            var polled = active.Where(w => w.PidfdForWatcher >= 0).ToList();
            var fallback = active.Where(w => w.PidfdForWatcher < 0).ToList();
            var fds = new LibC.PollFd[polled.Count + 1];
            fds[0] = new LibC.PollFd { Fd = eventFd, Events = LibC.POLLIN };
            for (var i = 0; i < polled.Count; i++)
                fds[i + 1] = new LibC.PollFd { Fd = polled[i].PidfdForWatcher, Events = LibC.POLLIN };

            // Without an eventfd, or with fallback entries, poll with a timeout so nothing waits for a wake-up.
            var timeout = fallback.Count > 0 || eventFd < 0 ? FallbackIntervalMs : 5000;
            var n = LibC.Poll(fds, (ulong)fds.Length, timeout);
            if (n < 0 && LibC.LastErrno != LibC.EINTR)
                Thread.Sleep(FallbackIntervalMs);

            if (eventFd >= 0 && (fds[0].Revents & LibC.POLLIN) != 0)
            {
                ulong drained = 0;
                LibC.Read(eventFd, ref drained, sizeof(ulong));
            }

            if (n > 0)
            {
                for (var i = 0; i < polled.Count; i++)
                {
                    if (fds[i + 1].Revents == 0 || polled[i].IsDisposed) continue;
                    polled[i].MarkExited();
                }
            }
            foreach (var w in fallback)
                if (!w.IsDisposed && w.LooksExited()) w.MarkExited();
        }
    }
}
