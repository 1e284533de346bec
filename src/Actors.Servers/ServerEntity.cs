using Akka.Actor;
using Akka.Persistence;
using Actors.Domains;
using Actors.Domains.Catalog;

namespace Actors.Servers;

/// <summary>One server (a cluster member running Cluster.Host): its registration facts, persisted.</summary>
public sealed class ServerEntity : ReceivePersistentActor
{
    private ServerView? _view;

    public ServerEntity(string name, IActorRef catalog)
    {
        PersistenceId = "server-" + name;
        Recover<ServerEvents.Registered>(Apply);
        Command<ServerCommands.Register>(m =>
        {
            var sender = Sender;
            var meta = new EventMeta("system", DateTimeOffset.UtcNow, null, m.Name);
            Persist(new ServerEvents.Registered(m.Name, m.Address, m.Pool, m.Facts, meta), e =>
            {
                Apply(e);
                catalog.Tell(new CatalogMessages.Add(m.Name));
                sender.Tell(new ServerReplies.Registered(m.Name));
            });
        });
        Command<ServerCommands.Get>(_ => Sender.Tell(new ServerReplies.Found(_view)));
    }

    public override string PersistenceId { get; }

    private void Apply(ServerEvents.Registered e) =>
        _view = new ServerView(e.Name, e.Address, e.Pool, e.Facts.Cpus, e.Facts.MemoryMiB, e.Facts.Hypervisor,
            e.Facts.QemuVersion, e.Facts.VmmDriver, e.Meta.At);

    public static Props Props(string name, IActorRef catalog) => Akka.Actor.Props.Create(() => new ServerEntity(name, catalog));
}
