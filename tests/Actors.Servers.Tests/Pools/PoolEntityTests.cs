using System.Collections.Concurrent;
using Akka.Actor;
using Actors.Domains;
using Actors.Domains.Catalog;
using Actors.Domains.Tests;
using Actors.Servers.Pools;
using Actors.Servers.Scheduling;

namespace Actors.Servers.Tests.Pools;

/// <summary>The pool entity over a real SQLite journal: settings persisted, published, recovered; refusals change nothing.</summary>
public sealed class PoolEntityTests : SqliteTestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly EventMeta Meta = new("alice", DateTimeOffset.UnixEpoch, null, "node1");
    private readonly ConcurrentQueue<(string Name, PoolEntry? Pool)> _published = new();

    private IActorRef Pool(string name, IActorRef catalog) =>
        Sys.ActorOf(PoolEntity.Props(name, catalog, (n, s) => _published.Enqueue((n, s))));

    /// <summary>The pool's settings as answered (null: no such pool), or the refusal.</summary>
    private object? Ask(IActorRef pool, object command)
    {
        pool.Tell(command);
        return ExpectMsg<object>(Wait) switch { PoolReplies.Found f => f.Pool?.Settings, var other => other };
    }

    [Fact]
    public void A_created_pool_is_persisted_published_catalogued_and_recovered_with_its_settings()
    {
        var catalog = CreateTestProbe();
        var pool = Pool("gpu", catalog.Ref);
        var settings = PoolSettings.DefaultFor("gpu") with { Policy = PlacementPolicy.Balance, Ha = false };

        Assert.Equal(settings, Ask(pool, new PoolCommands.Create("gpu", settings, Meta)));
        catalog.ExpectMsg(new CatalogMessages.Add("gpu"), Wait);
        Assert.Equal(settings, _published.Last().Pool!.Settings);

        var changed = settings with { Thresholds = new LoadThresholds(70, 85, TimeSpan.FromMinutes(5)) };
        Assert.Equal(changed, Ask(pool, new PoolCommands.Change("gpu", changed, Meta)));
        Assert.Equal(2, JournalRows("pool-gpu"));

        Watch(pool);
        Sys.Stop(pool);
        ExpectTerminated(pool, Wait);
        _published.Clear();
        pool = Pool("gpu", catalog.Ref);
        Assert.Equal(changed, Ask(pool, new PoolCommands.Get("gpu")));
        Assert.Equal(changed, Assert.Single(_published).Pool!.Settings); // a recovered pool publishes at once
    }

    [Fact]
    public void Refusals_name_the_problem_and_persist_nothing()
    {
        var pool = Pool("gpu", CreateTestProbe().Ref);
        Assert.Equal(new PoolReplies.Refused(404, "pool gpu does not exist"), Ask(pool, new PoolCommands.Change("gpu", PoolSettings.DefaultFor("gpu"), Meta)));
        Assert.Equal(new PoolReplies.Refused(404, "pool gpu does not exist"), Ask(pool, new PoolCommands.Delete("gpu", Meta)));
        Ask(pool, new PoolCommands.Create("gpu", PoolSettings.DefaultFor("gpu"), Meta));
        Assert.Equal(new PoolReplies.Refused(409, "pool gpu exists already"), Ask(pool, new PoolCommands.Create("gpu", PoolSettings.DefaultFor("gpu"), Meta)));
        Assert.Equal(1, JournalRows("pool-gpu"));
    }

    [Fact]
    public void The_default_pool_always_exists_and_cannot_be_deleted()
    {
        var pool = Pool(PoolEntity.Default, CreateTestProbe().Ref);
        Assert.Equal(PoolSettings.DefaultFor("default"), Ask(pool, new PoolCommands.Get("default")));
        Assert.Equal(new PoolReplies.Refused(409, "pool default exists already"), Ask(pool, new PoolCommands.Create("default", PoolSettings.DefaultFor("default"), Meta)));
        Assert.Equal(new PoolReplies.Refused(409, "pool default always exists; it cannot be deleted"), Ask(pool, new PoolCommands.Delete("default", Meta)));
        var balanced = PoolSettings.DefaultFor("default") with { Policy = PlacementPolicy.Balance };
        Assert.Equal(balanced, Ask(pool, new PoolCommands.Change("default", balanced, Meta)));
    }

    [Fact]
    public void Groups_keep_their_members_and_a_pool_with_groups_cannot_be_deleted()
    {
        var pool = Pool("gpu", CreateTestProbe().Ref);
        Assert.Equal(new PoolReplies.Refused(404, "pool gpu does not exist"), Ask(pool, new PoolCommands.CreateGroup("gpu", "web", Meta)));
        Ask(pool, new PoolCommands.Create("gpu", PoolSettings.DefaultFor("gpu"), Meta));
        Ask(pool, new PoolCommands.CreateGroup("gpu", "web", Meta));
        Assert.Equal(new PoolReplies.Refused(409, "group web exists already"), Ask(pool, new PoolCommands.CreateGroup("gpu", "web", Meta)));
        Ask(pool, new PoolCommands.AddToGroup("gpu", "web", ["web2", "web1"], Meta));
        Ask(pool, new PoolCommands.AddToGroup("gpu", "web", ["web3", "web1"], Meta));
        Assert.Equal(new PoolReplies.Refused(404, "domain db1 is not in group web"), Ask(pool, new PoolCommands.RemoveFromGroup("gpu", "web", ["web3", "db1"], Meta)));
        Ask(pool, new PoolCommands.RemoveFromGroup("gpu", "web", ["web3"], Meta));
        Assert.Equal(new PoolReplies.Refused(404, "group api does not exist in pool gpu"), Ask(pool, new PoolCommands.AddToGroup("gpu", "api", ["a"], Meta)));

        var published = _published.Last().Pool!.Groups.Single();
        Assert.Equal(("web", "gpu"), (published.Name, published.Pool));
        Assert.Equal(["web1", "web2"], published.Domains);
        Assert.Equal(new PoolReplies.Refused(409, "pool gpu still has groups web; delete them first"), Ask(pool, new PoolCommands.Delete("gpu", Meta)));

        // Recovered from the journal: the same members.
        Watch(pool);
        Sys.Stop(pool);
        ExpectTerminated(pool, Wait);
        pool = Pool("gpu", CreateTestProbe().Ref);
        pool.Tell(new PoolCommands.Get("gpu"));
        Assert.Equal(["web1", "web2"], ExpectMsg<PoolReplies.Found>(Wait).Pool!.Groups.Single().Domains);
        Ask(pool, new PoolCommands.DeleteGroup("gpu", "web", Meta));
        Assert.Null(Ask(pool, new PoolCommands.Delete("gpu", Meta)));
    }

    [Fact]
    public void A_deleted_pool_is_gone_from_the_index_and_the_catalog()
    {
        var catalog = CreateTestProbe();
        var pool = Pool("gpu", catalog.Ref);
        Ask(pool, new PoolCommands.Create("gpu", PoolSettings.DefaultFor("gpu"), Meta));
        Assert.Null(Ask(pool, new PoolCommands.Delete("gpu", Meta)));
        catalog.ExpectMsg(new CatalogMessages.Add("gpu"), Wait);
        catalog.ExpectMsg(new CatalogMessages.Remove("gpu"), Wait);
        Assert.Equal(("gpu", null), _published.Last());
        Assert.Null(Ask(pool, new PoolCommands.Get("gpu")));
    }
}
