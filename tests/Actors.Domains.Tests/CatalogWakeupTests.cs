using Actors.Domains.Catalog;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace Actors.Domains.Tests;

public sealed class CatalogWakeupTests : TestKit
{
    /// <summary>A region that answers nothing until told to: the test sees what waits at once.</summary>
    [Fact]
    public void Domains_whose_vmm_runs_here_wake_first_and_at_most_InFlight_wait_at_once()
    {
        var names = Enumerable.Range(0, 1000).Select(i => $"d{i:D4}").ToList();
        var catalog = CreateTestProbe();
        var region = CreateTestProbe();
        var wakeup = Sys.ActorOf(CatalogWakeup.Props(catalog.Ref, region.Ref, name => name, () => ["d0700", "d0900", "gone"]));
        Watch(wakeup);
        catalog.ExpectMsg<CatalogMessages.List>();
        catalog.Reply(new CatalogMessages.Entries(names));

        var woken = new List<string>();
        var senders = new List<IActorRef>();
        for (var i = 0; i < CatalogWakeup.InFlight; i++)
        {
            woken.Add(region.ExpectMsg<string>());
            senders.Add(region.LastSender);
        }
        region.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // the window is full
        Assert.Equal(["d0700", "d0900", "d0000"], woken.Take(3)); // a name the catalog does not know is not woken

        // Each answer lets one more go, until every name was woken once.
        while (woken.Count < names.Count)
        {
            senders[0].Tell("recovered");
            senders.RemoveAt(0);
            woken.Add(region.ExpectMsg<string>());
            senders.Add(region.LastSender);
        }
        foreach (var s in senders) s.Tell("recovered");
        ExpectTerminated(wakeup);
        Assert.Equal(names.Order(), woken.Order());
    }
}
