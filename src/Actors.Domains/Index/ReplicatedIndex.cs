using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;

namespace Actors.Domains.Index;

/// <summary>
/// A Distributed Data map (name → entry) written locally and spread by gossip, so that every node reads it without
/// asking anyone. Last writer wins per name.
/// A large index is split into buckets (one replicated map each, a name's bucket fixed by a stable hash): the
/// replicator merges the whole map an update touches, so with one map of 100,000 domains every state change of
/// every domain cost a merge of 100,000 entries, which starved the replicator (reads timed out) long before that.
/// </summary>
public sealed class ReplicatedIndex<TEntry>
{
    private readonly LWWDictionaryKey<string, TEntry>[] _keys;
    private readonly IActorRef _replicator;
    private readonly UniqueAddress _self;

    /// <param name="buckets">How many replicated maps hold the index (1: one map named <paramref name="key"/>).</param>
    public ReplicatedIndex(ActorSystem system, string key, int buckets = 1)
    {
        _keys = buckets == 1
            ? [new LWWDictionaryKey<string, TEntry>(key)]
            : [.. Enumerable.Range(0, buckets).Select(b => new LWWDictionaryKey<string, TEntry>($"{key}-{b}"))];
        _replicator = DistributedData.Get(system).Replicator;
        _self = Akka.Cluster.Cluster.Get(system).SelfUniqueAddress;
    }

    // Updates are fire-and-forget (local write, gossip later); the replicator's answer goes nowhere, unlogged.
    public void Publish(string name, TEntry entry) =>
        _replicator.Tell(Dsl.Update(KeyOf(name), LWWDictionary<string, TEntry>.Empty, WriteLocal.Instance,
            d => d.SetItem(_self, name, entry)), ActorRefs.Nobody);

    public void Remove(string name) =>
        _replicator.Tell(Dsl.Update(KeyOf(name), LWWDictionary<string, TEntry>.Empty, WriteLocal.Instance,
            d => d.Remove(_self, name)), ActorRefs.Nobody);

    /// <summary>This node's current copy.</summary>
    public async Task<IReadOnlyDictionary<string, TEntry>> ReadAsync()
    {
        var responses = await Task.WhenAll(_keys.Select(k => _replicator.Ask<IGetResponse>(Dsl.Get(k, ReadLocal.Instance), TimeSpan.FromSeconds(5))));
        if (responses.Length == 1)
            return responses[0].IsSuccessful ? responses[0].Get(_keys[0]).Entries : new Dictionary<string, TEntry>();
        var all = new Dictionary<string, TEntry>(StringComparer.Ordinal);
        for (var b = 0; b < responses.Length; b++)
        {
            if (!responses[b].IsSuccessful) continue;
            foreach (var (name, entry) in responses[b].Get(_keys[b]).Entries) all[name] = entry;
        }
        return all;
    }

    /// <summary>One name's entry in this node's copy (reads only its bucket).</summary>
    public async Task<TEntry?> ReadAsync(string name)
    {
        var key = KeyOf(name);
        var response = await _replicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), TimeSpan.FromSeconds(5));
        return response.IsSuccessful && response.Get(key).TryGetValue(name, out var entry) ? entry : default;
    }

    private LWWDictionaryKey<string, TEntry> KeyOf(string name) => _keys.Length == 1 ? _keys[0] : _keys[StableHash.Of(name) % (uint)_keys.Length];
}
