using Akka.Actor;
using Actors.Domains;
using Actors.Domains.Catalog;

namespace ScaleBench;

/// <summary>
/// What the node's restart path has around the domain actors, without sharding: a catalog that lists every domain,
/// and a region that starts a domain actor on its first message. The node's own <see cref="CatalogWakeup"/> wakes
/// them through it (domains in name order, a window of answers at a time).
/// </summary>
public sealed class WakeRegion : ReceiveActor
{
    public WakeRegion(DomainRuntime runtime)
    {
        Receive<IDomainMessage>(m =>
        {
            var child = Context.Child(m.Name);
            if (child.IsNobody()) child = Context.ActorOf(DomainActor.Props(m.Name, runtime), m.Name);
            child.Forward(m);
        });
    }

    internal sealed class ListingCatalog : ReceiveActor
    {
        public ListingCatalog(IReadOnlyList<string> names) => Receive<CatalogMessages.List>(_ => Sender.Tell(new CatalogMessages.Entries(names)));
    }
}

/// <summary>The node's start, as far as the domains go.</summary>
public static class NodeStart
{
    /// <summary>Wakes <paramref name="count"/> domains as a node start does.</summary>
    public static void WakeAll(ActorSystem system, DomainRuntime runtime, int count)
    {
        var region = system.ActorOf(Props.Create(() => new WakeRegion(runtime)), "domains");
        var names = Enumerable.Range(0, count).Select(Domains.Name).ToList();
        var catalog = system.ActorOf(Props.Create(() => new WakeRegion.ListingCatalog(names)), "catalog");
        system.ActorOf(CatalogWakeup.Props(catalog, region, name => new DomainCommands.Get(name)), "wakeup");
    }
}
