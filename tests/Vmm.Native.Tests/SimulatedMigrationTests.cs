using Vmm.Native.Simulated;

namespace Vmm.Native.Tests;

public sealed class SimulatedMigrationTests
{
    private static VmmLaunchSpec Spec(string server, string name = "sim1") =>
        new(name, 2, 256, [], null, null, null, $"/tmp/vmt-sim/{server}/{name}");

    [Fact]
    public async Task Migrates_between_two_drivers_and_the_target_is_adopted()
    {
        var a = new SimulatedDriver();
        var b = new SimulatedDriver(new SimulatedDriverOptions { MigrationDelay = TimeSpan.FromMilliseconds(20) });
        var src = await a.StartAsync(Spec("a"), CancellationToken.None);
        var port = MigrationTests.FreePort();
        var dst = await b.StartIncomingAsync(Spec("b"), port, CancellationToken.None);
        Assert.Equal(VmmRunState.Other, await dst.QueryStatusAsync(CancellationToken.None));

        // The port is taken while the target waits.
        var busy = await Assert.ThrowsAsync<VmmException>(() => b.StartIncomingAsync(Spec("b", "other"), port, CancellationToken.None));
        Assert.Contains("Address already in use", busy.Message);

        var reports = new List<MigrationProgress>();
        var result = await src.MigrateAsync("127.0.0.1", port, MigrationSettings.Default, new SyncProgress(reports.Add), CancellationToken.None);
        Assert.Equal(256L << 20, result.TransferredBytes);
        Assert.Equal("completed", reports[^1].Status);
        Assert.Equal(VmmRunState.Other, await src.QueryStatusAsync(CancellationToken.None)); // postmigrate
        Assert.Equal(VmmRunState.Paused, await dst.QueryStatusAsync(CancellationToken.None));
        await dst.ResumeAsync(CancellationToken.None);
        await src.KillAsync();

        await dst.DisposeAsync();
        var adopted = await b.TryAdoptAsync(Spec("b"), CancellationToken.None);
        Assert.NotNull(adopted);
        Assert.Equal(VmmRunState.Running, await adopted.QueryStatusAsync(CancellationToken.None));
        await adopted.PowerDownAsync(CancellationToken.None);
        Assert.True((await adopted.Exited).Expected);
        Assert.Equal(0, a.LiveCount + b.LiveCount);
    }

    [Fact]
    public async Task Failures_leave_the_source_running_and_end_the_target()
    {
        var failing = new SimulatedDriver(new SimulatedDriverOptions { MigrationFailure = (_, _) => "Unable to write to socket: Broken pipe" });
        var slow = new SimulatedDriver(new SimulatedDriverOptions { MigrationDelay = TimeSpan.FromSeconds(10) });
        var target = new SimulatedDriver();

        // Nobody listens.
        var src = await failing.StartAsync(Spec("a"), CancellationToken.None);
        var e = await Assert.ThrowsAsync<VmmException>(() => src.MigrateAsync("127.0.0.1", MigrationTests.FreePort(), MigrationSettings.Default, null, CancellationToken.None));
        Assert.Contains("Connection refused", e.Message);

        // Injected failure.
        var port = MigrationTests.FreePort();
        var dst = await target.StartIncomingAsync(Spec("b"), port, CancellationToken.None);
        e = await Assert.ThrowsAsync<VmmException>(() => src.MigrateAsync("127.0.0.1", port, MigrationSettings.Default, null, CancellationToken.None));
        Assert.Contains("Broken pipe", e.Message);
        Assert.Equal(VmmRunState.Running, await src.QueryStatusAsync(CancellationToken.None));
        Assert.False((await dst.Exited).Expected);

        // Timeout, then cancellation.
        var slowSrc = await slow.StartAsync(Spec("c"), CancellationToken.None);
        dst = await target.StartIncomingAsync(Spec("b"), port, CancellationToken.None);
        e = await Assert.ThrowsAsync<VmmException>(() => slowSrc.MigrateAsync("127.0.0.1", port, MigrationSettings.Default with { Timeout = TimeSpan.FromMilliseconds(50) }, null, CancellationToken.None));
        Assert.Contains("timed out after 0.05 s", e.Message);
        await dst.Exited;
        dst = await target.StartIncomingAsync(Spec("b"), port, CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        e = await Assert.ThrowsAsync<VmmException>(() => slowSrc.MigrateAsync("127.0.0.1", port, MigrationSettings.Default, null, cts.Token));
        Assert.IsAssignableFrom<OperationCanceledException>(e.InnerException);
        Assert.Equal(VmmRunState.Running, await slowSrc.QueryStatusAsync(CancellationToken.None));
        await dst.Exited;
        await src.KillAsync();
        await slowSrc.KillAsync();
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<MigrationProgress> report) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) => report(value);
    }
}
