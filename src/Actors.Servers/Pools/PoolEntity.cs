using Akka.Actor;
using Akka.Persistence;
using Actors.Domains.Catalog;
using Actors.Servers.Scheduling;

namespace Actors.Servers.Pools;

/// <summary>
/// One server pool: its scheduling settings, persisted, and published to the <see cref="PoolIndex"/> whenever they
/// change or the entity recovers (woken at node start from the catalog). Pool <see cref="Default"/> always exists,
/// with the default settings until changed, and cannot be deleted. Whether a pool still has servers or domains is
/// checked by the API before it asks for a delete.
/// </summary>
public sealed class PoolEntity : ReceivePersistentActor
{
    public const string Default = "default";

    private readonly string _name;
    private PoolSettings? _settings;

    public PoolEntity(string name, IActorRef catalog, Action<string, PoolSettings?> publish)
    {
        _name = name;
        PersistenceId = "pool-" + name;
        if (name == Default) _settings = PoolSettings.DefaultFor(name);

        Recover<PoolEvents.IPoolEvent>(Apply);
        Recover<RecoveryCompleted>(_ => publish(_name, _settings));
        Command<PoolCommands.Get>(_ => Sender.Tell(new PoolReplies.Found(_settings)));
        Command<PoolCommands.Create>(m =>
        {
            if (_settings is not null)
            {
                Sender.Tell(new PoolReplies.Refused(409, $"pool {_name} exists already"));
                return;
            }
            PersistThenReply(new PoolEvents.Created(_name, m.Settings with { Name = _name }, m.Meta), publish,
                () => catalog.Tell(new CatalogMessages.Add(_name)));
        });
        Command<PoolCommands.Change>(m =>
        {
            if (_settings is null)
                Sender.Tell(new PoolReplies.Refused(404, $"pool {_name} does not exist"));
            else
                PersistThenReply(new PoolEvents.Changed(_name, m.Settings with { Name = _name }, m.Meta), publish,
                    () => catalog.Tell(new CatalogMessages.Add(_name)));
        });
        Command<PoolCommands.Delete>(m =>
        {
            if (_name == Default)
                Sender.Tell(new PoolReplies.Refused(409, $"pool {Default} always exists; it cannot be deleted"));
            else if (_settings is null)
                Sender.Tell(new PoolReplies.Refused(404, $"pool {_name} does not exist"));
            else
                PersistThenReply(new PoolEvents.Deleted(_name, m.Meta), publish, () => catalog.Tell(new CatalogMessages.Remove(_name)));
        });
    }

    public override string PersistenceId { get; }

    /// <param name="publish">Where the settings go when they change (the <see cref="PoolIndex"/>; null: deleted).</param>
    public static Props Props(string name, IActorRef catalog, Action<string, PoolSettings?> publish) =>
        Akka.Actor.Props.Create(() => new PoolEntity(name, catalog, publish));

    private void PersistThenReply(PoolEvents.IPoolEvent e, Action<string, PoolSettings?> publish, Action after)
    {
        var sender = Sender;
        Persist(e, persisted =>
        {
            Apply(persisted);
            publish(_name, _settings);
            after();
            sender.Tell(new PoolReplies.Found(_settings));
        });
    }

    private void Apply(PoolEvents.IPoolEvent e) => _settings = e switch
    {
        PoolEvents.Created c => c.Settings,
        PoolEvents.Changed c => c.Settings,
        _ => null,
    };
}
