using Akka.Actor;
using Akka.Persistence;
using Actors.Domains;
using Actors.Domains.Catalog;

namespace Actors.Servers;

/// <summary>
/// One server (a cluster member running Cluster.Host): its registration facts, its pool and whether it is in
/// maintenance, persisted. The pool
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
            Change(_view is not null && _view.Pool != m.Pool, new ServerEvents.PoolChanged(m.Name, m.Pool, m.Meta), publish));
        Command<ServerCommands.SetMaintenance>(m =>
            Change(_view is not null && _view.Maintenance != m.On, new ServerEvents.MaintenanceChanged(m.Name, m.On, m.Meta), publish));
        Command<ServerCommands.Get>(_ => Sender.Tell(new ServerReplies.Found(_view)));
    }

    public override string PersistenceId { get; }

    /// <summary>An operator's change: persisted and published when it changes something; answered with the view either way.</summary>
    private void Change(bool changes, ServerEvents.IServerEvent e, Action<ServerView>? publish)
    {
        if (!changes)
        {
            Sender.Tell(new ServerReplies.Found(_view));
            return;
        }
        var sender = Sender;
        Persist(e, persisted =>
        {
            Apply(persisted);
            publish?.Invoke(_view!);
            sender.Tell(new ServerReplies.Found(_view));
        });
    }

    private void Apply(ServerEvents.IServerEvent e) => _view = e switch
    {
        ServerEvents.Registered r => new ServerView(r.Name, r.Address, _view?.Pool ?? r.Pool, r.Facts.Cpus, r.Facts.MemoryMiB,
            r.Facts.Hypervisor, r.Facts.QemuVersion, r.Facts.VmmDriver, r.Meta.At, _view?.Maintenance ?? false),
        ServerEvents.PoolChanged p when _view is not null => _view with { Pool = p.Pool },
        ServerEvents.MaintenanceChanged m when _view is not null => _view with { Maintenance = m.On },
        _ => _view,
    };

    /// <param name="publish">Where a change made here is announced (the replicated <see cref="ServerIndex"/>).</param>
    public static Props Props(string name, IActorRef catalog, Action<ServerView>? publish = null) =>
        Akka.Actor.Props.Create(() => new ServerEntity(name, catalog, publish));
}
