using Akka.Actor;
using Akka.Persistence;
using Actors.Domains;
using Actors.Domains.Catalog;

namespace Actors.Servers;

/// <summary>
/// One server (a cluster member running Cluster.Host): its registration facts and its pool, persisted. The pool
/// named at registration is the pool of a new server only; after that, only an operator moves it (and the change
/// is published to the server index at once, from here).
/// </summary>
public sealed class ServerEntity : ReceivePersistentActor
{
    private ServerView? _view;

    public ServerEntity(string name, IActorRef catalog, Action<ServerView>? publish = null)
    {
        PersistenceId = "server-" + name;
        Recover<ServerEvents.IServerEvent>(Apply);
        Command<ServerCommands.Register>(m =>
        {
            var sender = Sender;
            var meta = new EventMeta("system", DateTimeOffset.UtcNow, null, m.Name);
            Persist(new ServerEvents.Registered(m.Name, m.Address, m.Pool, m.Facts, meta), e =>
            {
                Apply(e);
                catalog.Tell(new CatalogMessages.Add(m.Name));
                sender.Tell(new ServerReplies.Registered(_view!));
            });
        });
        Command<ServerCommands.MoveToPool>(m =>
        {
            if (_view is null || _view.Pool == m.Pool)
            {
                Sender.Tell(new ServerReplies.Found(_view));
                return;
            }
            var sender = Sender;
            Persist(new ServerEvents.PoolChanged(m.Name, m.Pool, m.Meta), e =>
            {
                Apply(e);
                publish?.Invoke(_view!);
                sender.Tell(new ServerReplies.Found(_view));
            });
        });
        Command<ServerCommands.Get>(_ => Sender.Tell(new ServerReplies.Found(_view)));
    }

    public override string PersistenceId { get; }

    private void Apply(ServerEvents.IServerEvent e) => _view = e switch
    {
        ServerEvents.Registered r => new ServerView(r.Name, r.Address, _view?.Pool ?? r.Pool, r.Facts.Cpus, r.Facts.MemoryMiB,
            r.Facts.Hypervisor, r.Facts.QemuVersion, r.Facts.VmmDriver, r.Meta.At),
        ServerEvents.PoolChanged p when _view is not null => _view with { Pool = p.Pool },
        _ => _view,
    };

    /// <param name="publish">Where a change made here is announced (the replicated <see cref="ServerIndex"/>).</param>
    public static Props Props(string name, IActorRef catalog, Action<ServerView>? publish = null) =>
        Akka.Actor.Props.Create(() => new ServerEntity(name, catalog, publish));
}
