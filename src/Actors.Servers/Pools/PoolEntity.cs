using Akka.Actor;
using Akka.Persistence;
using Actors.Domains.Catalog;
using Actors.Servers.Scheduling;

namespace Actors.Servers.Pools;

/// <summary>
/// One server pool: its scheduling settings and its anti-affinity groups, persisted, and published to the
/// <see cref="PoolIndex"/> whenever they change or the entity recovers (woken at node start from the catalog).
/// Pool <see cref="Default"/> always exists, with the default settings until changed, and cannot be deleted.
/// Whether a pool still has servers or domains, and whether a domain may join a group, is checked by the API.
/// </summary>
public sealed class PoolEntity : ReceivePersistentActor
{
    public const string Default = "default";

    private readonly string _name;
    private PoolSettings? _settings;
    private readonly SortedDictionary<string, SortedSet<string>> _groups = new(StringComparer.Ordinal);

    public PoolEntity(string name, IActorRef catalog, Action<string, PoolEntry?> publish)
    {
        _name = name;
        PersistenceId = "pool-" + name;
        if (name == Default) _settings = PoolSettings.DefaultFor(name);

        Recover<PoolEvents.IPoolEvent>(Apply);
        Recover<RecoveryCompleted>(_ => publish(_name, Entry));
        Command<PoolCommands.Get>(_ => Sender.Tell(new PoolReplies.Found(Entry)));
        Command<PoolCommands.Create>(m =>
        {
            if (_settings is not null) Refuse(409, $"pool {_name} exists already");
            else Record(new PoolEvents.Created(_name, m.Settings with { Name = _name }, m.Meta), publish, () => catalog.Tell(new CatalogMessages.Add(_name)));
        });
        Command<PoolCommands.Change>(m =>
        {
            if (_settings is null) Refuse(404, $"pool {_name} does not exist");
            else Record(new PoolEvents.Changed(_name, m.Settings with { Name = _name }, m.Meta), publish, () => catalog.Tell(new CatalogMessages.Add(_name)));
        });
        Command<PoolCommands.Delete>(m =>
        {
            if (_name == Default) Refuse(409, $"pool {Default} always exists; it cannot be deleted");
            else if (_settings is null) Refuse(404, $"pool {_name} does not exist");
            else if (_groups.Count > 0) Refuse(409, $"pool {_name} still has groups {string.Join(", ", _groups.Keys)}; delete them first");
            else Record(new PoolEvents.Deleted(_name, m.Meta), publish, () => catalog.Tell(new CatalogMessages.Remove(_name)));
        });
        Command<PoolCommands.CreateGroup>(m =>
        {
            if (_settings is null) Refuse(404, $"pool {_name} does not exist");
            else if (_groups.ContainsKey(m.Group)) Refuse(409, $"group {m.Group} exists already");
            else Record(new PoolEvents.GroupCreated(_name, m.Group, m.Meta), publish, () => catalog.Tell(new CatalogMessages.Add(_name)));
        });
        Command<PoolCommands.AddToGroup>(m =>
        {
            if (!_groups.ContainsKey(m.Group)) Refuse(404, $"group {m.Group} does not exist in pool {_name}");
            else Record(new PoolEvents.GroupMembersAdded(_name, m.Group, m.Domains, m.Meta), publish, () => { });
        });
        Command<PoolCommands.RemoveFromGroup>(m =>
        {
            if (!_groups.TryGetValue(m.Group, out var members)) Refuse(404, $"group {m.Group} does not exist in pool {_name}");
            else if (m.Domains.FirstOrDefault(d => !members.Contains(d)) is { } stranger) Refuse(404, $"domain {stranger} is not in group {m.Group}");
            else Record(new PoolEvents.GroupMembersRemoved(_name, m.Group, m.Domains, m.Meta), publish, () => { });
        });
        Command<PoolCommands.DeleteGroup>(m =>
        {
            if (!_groups.ContainsKey(m.Group)) Refuse(404, $"group {m.Group} does not exist in pool {_name}");
            else Record(new PoolEvents.GroupDeleted(_name, m.Group, m.Meta), publish, () => { });
        });
    }

    public override string PersistenceId { get; }

    /// <param name="publish">Where the pool goes when it changes (the <see cref="PoolIndex"/>; null: deleted).</param>
    public static Props Props(string name, IActorRef catalog, Action<string, PoolEntry?> publish) =>
        Akka.Actor.Props.Create(() => new PoolEntity(name, catalog, publish));

    private PoolEntry? Entry => _settings is { } settings
        ? new PoolEntry(settings, [.. _groups.Select(g => new AntiAffinityGroup(g.Key, _name, [.. g.Value]))])
        : null;

    private void Refuse(int status, string message) => Sender.Tell(new PoolReplies.Refused(status, message));

    private void Record(PoolEvents.IPoolEvent e, Action<string, PoolEntry?> publish, Action after)
    {
        var sender = Sender;
        Persist(e, persisted =>
        {
            Apply(persisted);
            publish(_name, Entry);
            after();
            sender.Tell(new PoolReplies.Found(Entry));
        });
    }

    private void Apply(PoolEvents.IPoolEvent e)
    {
        switch (e)
        {
            case PoolEvents.Created c: _settings = c.Settings; break;
            case PoolEvents.Changed c: _settings = c.Settings; break;
            case PoolEvents.Deleted: _settings = _name == Default ? PoolSettings.DefaultFor(_name) : null; break;
            case PoolEvents.GroupCreated g: _groups[g.Group] = new SortedSet<string>(StringComparer.Ordinal); break;
            case PoolEvents.GroupMembersAdded g: _groups[g.Group].UnionWith(g.Domains); break;
            case PoolEvents.GroupMembersRemoved g: _groups[g.Group].ExceptWith(g.Domains); break;
            case PoolEvents.GroupDeleted g: _groups.Remove(g.Group); break;
        }
    }
}
