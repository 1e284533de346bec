using System.Runtime.InteropServices;

namespace Vmm.Native.Linux;

/// <summary>The few Linux calls the VMM layer needs (x86_64 syscall numbers).</summary>
internal static class LibC
{
    public const int SYS_pidfd_send_signal = 424;
    public const int SYS_pidfd_open = 434;

    public const short POLLIN = 0x001;
    public const short POLLERR = 0x008;
    public const short POLLHUP = 0x010;
    public const short POLLNVAL = 0x020;

    public const int EINTR = 4;
    public const int ESRCH = 3;
    public const int EAGAIN = 11;

    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    public const int SIGKILL = 9;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long SyscallPidfdOpen(long number, int pid, uint flags);

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long SyscallPidfdSendSignal(long number, int pidfd, int sig, IntPtr info, uint flags);

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static extern int Poll([In, Out] PollFd[] fds, ulong nfds, int timeoutMs);

    [DllImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static extern int EventFd(uint initval, int flags);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    public static extern nint Read(int fd, ref ulong value, nint count);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    public static extern nint Write(int fd, ref ulong value, nint count);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int sig);

    /// <summary>pidfd_open(2): a file descriptor that refers to exactly this process (no pid reuse).</summary>
    public static int PidfdOpen(int pid) => (int)SyscallPidfdOpen(SYS_pidfd_open, pid, 0);

    public static int PidfdSendSignal(int pidfd, int sig) => (int)SyscallPidfdSendSignal(SYS_pidfd_send_signal, pidfd, sig, IntPtr.Zero, 0);

    public static int LastErrno => Marshal.GetLastPInvokeError();
}
