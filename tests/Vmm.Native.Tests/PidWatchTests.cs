using System.Diagnostics;
using Vmm.Native.Linux;

namespace Vmm.Native.Tests;

[CollectionDefinition(nameof(PidWatchTests), DisableParallelization = true)]
public sealed class PidWatchCollection;

/// <summary>Exit detection of any process (not only QEMU), with pidfd and with the /proc fallback.</summary>
[Collection(nameof(PidWatchTests))]
public sealed class PidWatchTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Notices_kill_9_within_a_second(bool procFallback)
    {
        using var sleeper = Process.Start("sleep", "30");
        PidWatch.DisablePidfd = procFallback;
        PidWatch watch;
        try { watch = PidWatch.Open(sleeper.Id)!; }
        finally { PidWatch.DisablePidfd = false; }
        using (watch)
        {
            Assert.Equal(!procFallback, watch.UsesPidfd);
            Assert.False(watch.HasExited);
            var sw = Stopwatch.StartNew();
            Assert.True(watch.Signal(LibC.SIGKILL));
            await watch.Exited.WaitAsync(TimeSpan.FromSeconds(1));
            Assert.True(sw.ElapsedMilliseconds < 1000);
            Assert.False(watch.Signal(LibC.SIGKILL)); // gone: nothing is signalled any more
        }
    }

    [Fact]
    public void No_watch_for_a_pid_that_does_not_exist()
    {
        var (_, text) = TestEnvironment.Run("/bin/sh", "-c", "echo $$");
        Assert.Null(PidWatch.Open(int.Parse(text.Trim())));
        Assert.Null(PidWatch.Open(0));
    }

    [Fact]
    public async Task Disposing_cancels_and_leaves_the_process_alone()
    {
        using var sleeper = Process.Start("sleep", "30");
        try
        {
            var watch = PidWatch.Open(sleeper.Id)!;
            watch.Dispose();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch.Exited);
            Assert.False(sleeper.HasExited);
        }
        finally
        {
            sleeper.Kill();
        }
    }
}
