using Akka.Actor;
using Actors.Domains.Catalog;

namespace Actors.Domains.Tests;

/// <summary>The catalog of entity names, persisted to a real SQLite journal.</summary>
public sealed class EntityCatalogTests : SqliteTestKit
{
    private IReadOnlyList<string> List(IActorRef catalog)
    {
        catalog.Tell(new CatalogMessages.List());
        return ExpectMsg<CatalogMessages.Entries>(TimeSpan.FromSeconds(10)).Names;
    }

    private void Restart(ref IActorRef catalog, string kind = "domains")
    {
        Watch(catalog);
        Sys.Stop(catalog);
        ExpectTerminated(catalog, TimeSpan.FromSeconds(10));
        catalog = Sys.ActorOf(EntityCatalog.Props(kind));
    }

    [Fact]
    public void Adds_and_removes_are_idempotent_persisted_and_recovered()
    {
        var catalog = Sys.ActorOf(EntityCatalog.Props("domains"));
        Assert.Empty(List(catalog));

        catalog.Tell(new CatalogMessages.Add("web2"));
        catalog.Tell(new CatalogMessages.Add("web1"));
        catalog.Tell(new CatalogMessages.Add("web2"));
        Assert.Equal(["web1", "web2"], List(catalog)); // sorted, no duplicates
        AwaitAssert(() => Assert.Equal(2, JournalRows("catalog-domains")), TimeSpan.FromSeconds(10));

        catalog.Tell(new CatalogMessages.Remove("web2"));
        catalog.Tell(new CatalogMessages.Remove("web2"));
        catalog.Tell(new CatalogMessages.Remove("never-was"));
        Assert.Equal(["web1"], List(catalog));
        AwaitAssert(() => Assert.Equal(3, JournalRows("catalog-domains")), TimeSpan.FromSeconds(10));

        var events = JournalEvents("catalog-domains");
        Assert.Equal(["web2", "web1"], events.OfType<CatalogEvents.EntryAdded>().Select(e => e.Name));
        Assert.Equal("web2", Assert.IsType<CatalogEvents.EntryRemoved>(events[2]).Name);

        Restart(ref catalog);
        Assert.Equal(["web1"], List(catalog));

        // after recovery, adds stay idempotent and a removed name can come back
        catalog.Tell(new CatalogMessages.Add("web1"));
        catalog.Tell(new CatalogMessages.Add("web2"));
        Assert.Equal(["web1", "web2"], List(catalog));
        AwaitAssert(() => Assert.Equal(4, JournalRows("catalog-domains")), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Many_names_at_once_are_all_written_and_an_add_then_a_quick_remove_stays_removed()
    {
        var catalog = Sys.ActorOf(EntityCatalog.Props("domains"));
        var names = Enumerable.Range(0, 2000).Select(i => $"d{i:D4}").ToList();
        foreach (var name in names) catalog.Tell(new CatalogMessages.Add(name));
        catalog.Tell(new CatalogMessages.Add("gone"));
        catalog.Tell(new CatalogMessages.Remove("gone"));
        Assert.Equal(names, List(catalog));
        AwaitAssert(() => Assert.Equal(2002, JournalRows("catalog-domains")), TimeSpan.FromSeconds(30));

        Restart(ref catalog);
        Assert.Equal(names, List(catalog));
    }

    [Fact]
    public void Record_is_answered_once_the_name_is_in_the_journal_also_for_a_name_just_added()
    {
        var catalog = Sys.ActorOf(EntityCatalog.Props("domains"));
        catalog.Tell(new CatalogMessages.Record("web1"));
        ExpectMsg(new CatalogMessages.Recorded("web1"), TimeSpan.FromSeconds(10));
        Assert.Equal(1, JournalRows("catalog-domains")); // durable before the answer, not eventually

        catalog.Tell(new CatalogMessages.Add("web2"));
        catalog.Tell(new CatalogMessages.Record("web2"));
        ExpectMsg(new CatalogMessages.Recorded("web2"), TimeSpan.FromSeconds(10));
        Assert.Equal(2, JournalRows("catalog-domains"));
    }

    [Fact]
    public void Catalogs_of_different_kinds_are_separate()
    {
        var domains = Sys.ActorOf(EntityCatalog.Props("domains"));
        var servers = Sys.ActorOf(EntityCatalog.Props("servers"));
        domains.Tell(new CatalogMessages.Add("web1"));
        servers.Tell(new CatalogMessages.Add("node1"));
        Assert.Equal(["web1"], List(domains));
        Assert.Equal(["node1"], List(servers));

        Restart(ref servers, "servers");
        Assert.Equal(["node1"], List(servers));
        Assert.Equal(1, JournalRows("catalog-servers"));
    }

    [Fact]
    public void Names_sort_ordinally()
    {
        var catalog = Sys.ActorOf(EntityCatalog.Props("domains"));
        foreach (var name in new[] { "b", "B", "a", "A", "10", "9" }) catalog.Tell(new CatalogMessages.Add(name));
        Assert.Equal(["10", "9", "A", "B", "a", "b"], List(catalog));
    }

    [Fact]
    public void The_wakeup_wakes_every_cataloged_entity_then_stops()
    {
        var catalog = Sys.ActorOf(EntityCatalog.Props("domains"));
        catalog.Tell(new CatalogMessages.Add("web1"));
        catalog.Tell(new CatalogMessages.Add("web2"));
        Assert.Equal(2, List(catalog).Count);

        var region = CreateTestProbe();
        var wakeup = Sys.ActorOf(CatalogWakeup.Props(catalog, region.Ref, name => new DomainCommands.Wake(name)));
        Watch(wakeup);
        var woken = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            woken.Add(region.ExpectMsg<DomainCommands.Wake>().Name);
            region.Reply("recovered"); // a woken entity answers; the wakeup waits for that
        }
        Assert.Equal(["web1", "web2"], woken.Order());
        ExpectTerminated(wakeup);
    }
}
