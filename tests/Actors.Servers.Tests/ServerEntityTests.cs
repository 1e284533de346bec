using Akka.Actor;
using Akka.TestKit;
using Actors.Domains.Catalog;
using Actors.Domains.Tests;
using Vmm.Native;

namespace Actors.Servers.Tests;

/// <summary>The server entity, persisting to a real SQLite journal, and the node-local agent that registers it.</summary>
public sealed class ServerEntityTests : SqliteTestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly HostFacts Facts = new(16, 65536, "kvm", "8.2.2", "simulated");

    private static ServerCommands.Register Registration(string name = "node1", HostFacts? facts = null) =>
        new(name, "akka.tcp://vmc@10.0.0.1:4053", "default", facts ?? Facts);

    private ServerView? Get(IActorRef server, string name)
    {
        server.Tell(new ServerCommands.Get(name));
        return ExpectMsg<ServerReplies.Found>(Wait).Server;
    }

    private IActorRef Restart(IActorRef server, string name, IActorRef catalog)
    {
        Watch(server);
        Sys.Stop(server);
        ExpectTerminated(server, Wait);
        return Sys.ActorOf(ServerEntity.Props(name, catalog));
    }

    [Fact]
    public void An_unregistered_server_has_no_view()
    {
        var server = Sys.ActorOf(ServerEntity.Props("node1", CreateTestProbe().Ref));
        Assert.Null(Get(server, "node1"));
        Assert.Equal(0, JournalRows("server-node1"));
    }

    [Fact]
    public void Register_persists_replies_and_tells_the_catalog()
    {
        var catalog = CreateTestProbe();
        var server = Sys.ActorOf(ServerEntity.Props("node1", catalog.Ref));
        var before = DateTimeOffset.UtcNow;

        server.Tell(Registration());
        Assert.Equal("node1", ExpectMsg<ServerReplies.Registered>(Wait).Server.Name);
        catalog.ExpectMsg(new CatalogMessages.Add("node1"), Wait);
        Assert.Equal(1, JournalRows("server-node1"));

        var view = Get(server, "node1")!;
        Assert.Equal("node1", view.Name);
        Assert.Equal("akka.tcp://vmc@10.0.0.1:4053", view.Address);
        Assert.Equal("default", view.Pool);
        Assert.Equal(16, view.Cpus);
        Assert.Equal(65536, view.MemoryMiB);
        Assert.Equal("kvm", view.Hypervisor);
        Assert.Equal("8.2.2", view.QemuVersion);
        Assert.Equal("simulated", view.Vmm);
        Assert.InRange(view.RegisteredAt, before, DateTimeOffset.UtcNow);
    }

    [Fact]
    public void A_new_incarnation_recovers_the_view()
    {
        var catalog = CreateTestProbe();
        var server = Sys.ActorOf(ServerEntity.Props("node1", catalog.Ref));
        server.Tell(Registration());
        ExpectMsg<ServerReplies.Registered>(Wait);
        var before = Get(server, "node1");

        server = Restart(server, "node1", catalog.Ref);
        Assert.Equal(before, Get(server, "node1"));
        Assert.Equal(1, JournalRows("server-node1"));
    }

    [Fact]
    public void Each_registration_is_recorded_and_the_latest_facts_win()
    {
        var catalog = CreateTestProbe();
        var server = Sys.ActorOf(ServerEntity.Props("node1", catalog.Ref));
        server.Tell(Registration());
        ExpectMsg<ServerReplies.Registered>(Wait);
        server.Tell(Registration(facts: Facts with { Cpus = 32, QemuVersion = null }));
        ExpectMsg<ServerReplies.Registered>(Wait);
        Assert.Equal(2, JournalRows("server-node1"));

        server = Restart(server, "node1", catalog.Ref);
        var view = Get(server, "node1")!;
        Assert.Equal(32, view.Cpus);
        Assert.Null(view.QemuVersion);
    }

    [Fact]
    public void The_agent_retries_until_the_region_answers()
    {
        var region = CreateTestProbe();
        var published = new System.Collections.Concurrent.ConcurrentQueue<ServerView>();
        Sys.ActorOf(ServerAgent.Props(region.Ref, Registration(), published.Enqueue));

        region.ExpectMsg(Registration(), Wait); // ignored: the agent's ask times out (5 s) and it tries again
        region.ExpectMsg(Registration(), TimeSpan.FromSeconds(10));
        Assert.Empty(published); // not announced before the entity acknowledged
        region.Reply(new ServerReplies.Registered(new ServerView("node1", "akka.tcp://vmc@10.0.0.1:4053", "default", 16, 65536, "kvm",
            "8.2.2", "simulated", DateTimeOffset.UtcNow)));

        region.ExpectNoMsg(TimeSpan.FromSeconds(1.5)); // acknowledged: no more attempts
        var view = Assert.Single(published);
        Assert.Equal(("node1", "akka.tcp://vmc@10.0.0.1:4053", "default", 16, 65536L), (view.Name, view.Address, view.Pool, view.Cpus, view.MemoryMiB));
    }

    [Fact]
    public void The_agent_registers_through_a_real_entity()
    {
        var catalog = CreateTestProbe();
        var server = Sys.ActorOf(ServerEntity.Props("node1", catalog.Ref));
        Sys.ActorOf(ServerAgent.Props(server, Registration(), _ => { }));

        catalog.ExpectMsg(new CatalogMessages.Add("node1"), Wait);
        AwaitCondition(() => Get(server, "node1") is not null, Wait);
        Assert.Equal(1, JournalRows("server-node1"));
    }

    [Fact]
    public void A_pool_change_is_persisted_published_and_outlives_re_registration()
    {
        var catalog = CreateTestProbe();
        var published = new System.Collections.Concurrent.ConcurrentQueue<ServerView>();
        var server = Sys.ActorOf(ServerEntity.Props("node1", catalog.Ref, published.Enqueue));
        server.Tell(Registration());
        ExpectMsg<ServerReplies.Registered>(Wait);

        var meta = new Actors.Domains.EventMeta("alice", DateTimeOffset.UtcNow, null, "node1");
        server.Tell(new ServerCommands.MoveToPool("node1", "gpu", meta));
        Assert.Equal("gpu", ExpectMsg<ServerReplies.Found>(Wait).Server!.Pool);
        Assert.Equal("gpu", Assert.Single(published).Pool);
        server.Tell(new ServerCommands.MoveToPool("node1", "gpu", meta)); // already there: nothing persisted
        ExpectMsg<ServerReplies.Found>(Wait);
        Assert.Equal(2, JournalRows("server-node1"));

        // The node's --pool option names the pool of a new server only.
        server = Restart(server, "node1", catalog.Ref);
        server.Tell(Registration());
        Assert.Equal("gpu", ExpectMsg<ServerReplies.Registered>(Wait).Server.Pool);
        Assert.Equal("gpu", Get(server, "node1")!.Pool);
    }

    [Fact]
    public void An_unregistered_server_is_not_moved()
    {
        var server = Sys.ActorOf(ServerEntity.Props("node9", CreateTestProbe().Ref));
        server.Tell(new ServerCommands.MoveToPool("node9", "gpu", new Actors.Domains.EventMeta("alice", DateTimeOffset.UtcNow, null, "node1")));
        Assert.Null(ExpectMsg<ServerReplies.Found>(Wait).Server);
        Assert.Equal(0, JournalRows("server-node9"));
    }

    [Fact]
    public void Maintenance_is_persisted_published_and_outlives_re_registration()
    {
        var catalog = CreateTestProbe();
        var published = new System.Collections.Concurrent.ConcurrentQueue<ServerView>();
        var server = Sys.ActorOf(ServerEntity.Props("node1", catalog.Ref, published.Enqueue));
        server.Tell(Registration());
        ExpectMsg<ServerReplies.Registered>(Wait);

        var meta = new Actors.Domains.EventMeta("alice", DateTimeOffset.UtcNow, null, "node1");
        server.Tell(new ServerCommands.SetMaintenance("node1", true, meta));
        Assert.True(ExpectMsg<ServerReplies.Found>(Wait).Server!.Maintenance);
        Assert.True(Assert.Single(published).Maintenance);
        server.Tell(new ServerCommands.SetMaintenance("node1", true, meta)); // already on: nothing persisted
        ExpectMsg<ServerReplies.Found>(Wait);
        Assert.Equal(2, JournalRows("server-node1"));

        server = Restart(server, "node1", catalog.Ref);
        server.Tell(Registration());
        Assert.True(ExpectMsg<ServerReplies.Registered>(Wait).Server.Maintenance);
        server.Tell(new ServerCommands.SetMaintenance("node1", false, meta));
        Assert.False(ExpectMsg<ServerReplies.Found>(Wait).Server!.Maintenance);
    }
}
