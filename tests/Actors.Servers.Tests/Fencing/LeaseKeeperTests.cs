using System.Diagnostics;
using Actors.Servers.Fencing;
using Akka.Actor;
using static Actors.Servers.Tests.Fencing.FencingTestSupport;

namespace Actors.Servers.Tests.Fencing;

/// <summary>Runs alone: one test starves the process's thread pool, which would slow every test running beside it.</summary>
[CollectionDefinition(nameof(ThreadPoolStarvation), DisableParallelization = true)]
public sealed class ThreadPoolStarvation;

[Collection(nameof(ThreadPoolStarvation))]
public sealed class LeaseKeeperTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly FencingSettings Fast = new()
    {
        LeaseTtl = TimeSpan.FromSeconds(3),
        RenewInterval = TimeSpan.FromMilliseconds(100),
        WatchdogTimeout = TimeSpan.FromMilliseconds(1000),
    };

    private readonly string _dir = NewTempDir("fencing-keeper");
    private DomainLeaseStore _store = null!;

    // keeper-dispatcher: the dispatcher the node gives its keeper (NodeFencing.KeeperDispatcherHocon).
    public LeaseKeeperTests()
        : base("akka.loglevel = WARNING\nkeeper-dispatcher { type = PinnedDispatcher, executor = fork-join-executor }") { }

    public Task InitializeAsync()
    {
        _store = new DomainLeaseStore($"Data Source={Path.Combine(_dir, "vmc.db")}", DomainLeaseStore.SqliteProvider);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Sys.Terminate(); // no keeper writes into the temp dir while it is removed
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TryDeleteDir(_dir);
    }

    [Fact]
    public async Task It_renews_the_servers_leases_and_writes_a_heartbeat_after_each_success()
    {
        await _store.TryAcquireAsync("d1", "server-a", TimeSpan.FromMilliseconds(1500));
        await _store.TryAcquireAsync("d2", "server-b", TimeSpan.FromMilliseconds(1500));
        var startedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var keeper = Sys.ActorOf(LeaseKeeper.Props(_store, "server-a", Fast, _dir));

        await Eventually(() => Heartbeat(_dir) is { } hb && hb >= startedAt - 5, TimeSpan.FromSeconds(5), "a first heartbeat");
        var first = Heartbeat(_dir)!.Value;
        await Eventually(() => Heartbeat(_dir) > first, TimeSpan.FromSeconds(5), "the heartbeat advances");
        Assert.False(File.Exists(LeaseKeeper.HeartbeatPath(_dir) + ".tmp"));

        // d1 (server-a) is kept alive well past its original 1.5 s; d2 (server-b) is not renewed and expires.
        await Eventually(async () => (await _store.GetAsync("d2"))!.Expired, TimeSpan.FromSeconds(5), "server-b's lease expires");
        var d1 = await _store.GetAsync("d1");
        Assert.False(d1!.Expired);
        Assert.True(d1.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(2));

        var status = await keeper.Ask<LeaseKeeper.Status>(LeaseKeeper.GetStatus.Instance, TimeSpan.FromSeconds(3));
        Assert.True(status.Successes >= 2);
        Assert.Equal(1, status.LastRenewed);
        Assert.Null(status.LastError);
    }

    [Fact]
    public async Task When_renewal_fails_it_does_not_touch_the_heartbeat()
    {
        // A database in a directory that does not exist: every renewal fails.
        await using var broken = new DomainLeaseStore($"Data Source={Path.Combine(_dir, "missing", "vmc.db")};Mode=ReadWrite",
            DomainLeaseStore.SqliteProvider);
        var keeper = Sys.ActorOf(LeaseKeeper.Props(broken, "server-a", Fast, _dir));
        await Eventually(async () => (await keeper.Ask<LeaseKeeper.Status>(LeaseKeeper.GetStatus.Instance, TimeSpan.FromSeconds(3))).Failures >= 3,
            TimeSpan.FromSeconds(5), "three failed renewals");
        var status = await keeper.Ask<LeaseKeeper.Status>(LeaseKeeper.GetStatus.Instance, TimeSpan.FromSeconds(3));
        Assert.Equal(0, status.Successes);
        Assert.Null(status.LastSuccess);
        Assert.NotNull(status.LastError);
        Assert.Null(Heartbeat(_dir));
    }

    [Fact]
    public async Task When_renewals_stop_for_longer_than_the_watchdog_timeout_it_reports_the_lapse_once_and_renews_no_more()
    {
        await _store.TryAcquireAsync("d1", "server-a", Fast.LeaseTtl);
        var renewed = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
        var lapses = new System.Collections.Concurrent.ConcurrentQueue<TimeSpan>();
        Sys.ActorOf(LeaseKeeper.Props(_store, "server-a", Fast, _dir, renewed.Enqueue, lapses.Enqueue));
        await Eventually(() => !renewed.IsEmpty, TimeSpan.FromSeconds(5), "a first renewal");

        // The database stops answering: another connection holds its write lock (renewals time out).
        await using (var blocker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dir, "vmc.db")};Pooling=False"))
        {
            await blocker.OpenAsync();
            await using (var begin = blocker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                await begin.ExecuteNonQueryAsync();
            }
            await Eventually(() => !lapses.IsEmpty, TimeSpan.FromSeconds(5), "the lapse is reported");
            Assert.True(lapses.Single() > Fast.WatchdogTimeout, $"reported after {lapses.Single()}");
        }

        // The database answers again, but the keeper renews no more: the server fences itself instead.
        var count = renewed.Count;
        var heartbeat = Heartbeat(_dir);
        await Task.Delay(Fast.RenewInterval * 5); // several renew intervals: nothing may happen
        Assert.Equal(count, renewed.Count);
        Assert.Equal(heartbeat, Heartbeat(_dir));
        Assert.Single(lapses);
    }

    [Fact]
    public void Invalid_settings_are_refused_when_the_keeper_starts()
    {
        Assert.Throws<ArgumentException>(() => new FencingSettings { LeaseTtl = TimeSpan.FromSeconds(5) }.Validate());
    }

    [Fact]
    public async Task It_keeps_renewing_while_every_thread_pool_thread_is_busy()
    {
        var keeper = Sys.ActorOf(LeaseKeeper.Props(_store, "server-a", Fast, _dir).WithDispatcher("keeper-dispatcher"));
        await Eventually(() => Heartbeat(_dir) is not null, TimeSpan.FromSeconds(5), "a first heartbeat");

        // A node starting thousands of domains: the pool's threads all taken, and far more work queued than it adds
        // threads for within the test. Checked from this thread, synchronously: a continuation would wait in that queue.
        using var release = new ManualResetEventSlim();
        var blockers = Enumerable.Range(0, 200).Select(_ => Task.Run(() => release.Wait(TimeSpan.FromSeconds(20)))).ToArray();
        var advances = 0;
        try
        {
            var starved = Stopwatch.StartNew();
            var last = Heartbeat(_dir);
            while (starved.Elapsed < TimeSpan.FromSeconds(3))
            {
                var now = Heartbeat(_dir);
                if (now > last) advances++;
                last = now;
                Thread.Sleep(50); // the poll's interval; this thread must not wait on the starved pool
            }
        }
        finally
        {
            release.Set();
            await Task.WhenAll(blockers);
        }
        // Renewed every 100 ms; a renewal queued on the pool (as before) made none in 3 s.
        var status = await keeper.Ask<LeaseKeeper.Status>(LeaseKeeper.GetStatus.Instance, TimeSpan.FromSeconds(3));
        Assert.True(advances >= 5, $"the heartbeat advanced {advances} time(s) in 3 s of a starved thread pool ({status})");
    }
}
