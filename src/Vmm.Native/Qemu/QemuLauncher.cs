using System.ComponentModel;
using System.Diagnostics;

namespace Vmm.Native.Qemu;

/// <summary>
/// Starts QEMU so that it outlives this process: in its own session (setsid, so signals to our process
/// group do not reach it), stdin from /dev/null and stdout/stderr into RUN/qemu.log (no pipe to us that
/// could break with SIGPIPE). The shell and setsid exec in place, so the child's pid is QEMU's pid and
/// .NET reaps it when it ends.
/// </summary>
internal static class QemuLauncher
{
    private const string Script = "log=$1; shift; exec setsid \"$@\" </dev/null >\"$log\" 2>&1";

    public static Process Launch(string binary, IReadOnlyList<string> args, QemuRunPaths paths)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = paths.RunDir,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add("qemu-launch");
        psi.ArgumentList.Add(paths.QemuLog);
        psi.ArgumentList.Add(binary);
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            return Process.Start(psi) ?? throw new VmmException($"could not start {binary}");
        }
        catch (Win32Exception e)
        {
            throw new VmmException($"could not start /bin/sh to run {binary}: {e.Message}", e);
        }
    }
}
