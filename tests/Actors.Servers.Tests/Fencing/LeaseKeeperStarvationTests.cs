using System.Diagnostics;
using Actors.Servers.Fencing;
using Akka.Actor;
using static Actors.Servers.Tests.Fencing.FencingTestSupport;

namespace Actors.Servers.Tests.Fencing;

/// <summary>Runs alone: it starves the process's thread pool, which would slow every test running beside it.</summary>
[CollectionDefinition(nameof(ThreadPoolStarvation), DisableParallelization = true)]
public sealed class ThreadPoolStarvation;

[Collection(nameof(ThreadPoolStarvation))]
public sealed class LeaseKeeperStarvationTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly FencingSettings Fast = new()
    {
        LeaseTtl = TimeSpan.FromSeconds(3),
        RenewInterval = TimeSpan.FromMilliseconds(100),
        WatchdogTimeout = TimeSpan.FromMilliseconds(1000),
    };

    private readonly string _dir = NewTempDir("fencing-starved");
    private DomainLeaseStore _store = null!;

    // The dispatcher the node gives its keeper (akka.hocon, vmc.fencing.keeper-dispatcher).
    public LeaseKeeperStarvationTests()
        : base("akka.loglevel = WARNING\nkeeper-dispatcher { type = PinnedDispatcher, executor = fork-join-executor }") { }

    public Task InitializeAsync()
    {
        _store = new DomainLeaseStore($"Data Source={Path.Combine(_dir, "vmc.db")}", DomainLeaseStore.SqliteProvider);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Sys.Terminate();
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TryDeleteDir(_dir);
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
