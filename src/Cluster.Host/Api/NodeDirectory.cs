using Akka.Actor;
using Akka.Hosting;
using Actors.Domains;
using Actors.Domains.Catalog;
using Actors.Domains.Index;
using Actors.Servers;
using Actors.Servers.Pools;
using Actors.Servers.Load;

namespace Cluster.Host.Api;

/// <summary>Reads across entities: every domain, every server, every pool, and what servers have room for.</summary>
public sealed class NodeDirectory(IReadOnlyActorRegistry registry, ActorSystem system)
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public IReadOnlyActorRegistry Registry => registry;
    public IActorRef Domains => registry.Get<DomainRegion>();
    public IActorRef Servers => registry.Get<ServerRegion>();
    public IActorRef Jobs => registry.Get<JobBookKey>();
    public IActorRef Pools => registry.Get<PoolRegion>();

    /// <summary>One pool's settings and groups; null when it does not exist.</summary>
    public async Task<PoolEntry?> GetPoolAsync(string name) =>
        (await Pools.Ask<PoolReplies.Found>(new PoolCommands.Get(name), AskTimeout)).Pool;

    /// <summary>Every pool (<see cref="PoolEntity.Default"/> always), by name.</summary>
    public async Task<IReadOnlyList<PoolEntry>> ListPoolsAsync()
    {
        var names = await registry.Get<PoolCatalog>().Ask<CatalogMessages.Entries>(new CatalogMessages.List(), AskTimeout);
        var pools = await Task.WhenAll(names.Names.Append(PoolEntity.Default).Distinct().Select(GetPoolAsync));
        return [.. pools.OfType<PoolEntry>().OrderBy(p => p.Settings.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Every domain, each as it answers itself; one that cannot answer quickly (its server just failed and it
    /// has not moved yet) is shown from the replicated index with state "unknown", so a failure elsewhere never
    /// stalls the list.
    /// </summary>
    public async Task<IReadOnlyList<DomainView>> ListDomainsAsync()
    {
        var names = await registry.Get<DomainCatalog>().Ask<CatalogMessages.Entries>(new CatalogMessages.List(), AskTimeout);
        var index = new Lazy<Task<IReadOnlyDictionary<string, DomainIndexEntry>>>(() => new DomainIndex(system).ReadAsync());
        var views = await Task.WhenAll(names.Names.Select(async n =>
        {
            try
            {
                var reply = await Domains.Ask<DomainReplies.IDomainReply>(new DomainCommands.Get(n), ListTimeout);
                return (reply as DomainReplies.Accepted)?.Domain;
            }
            catch (AskTimeoutException)
            {
                return (await index.Value).TryGetValue(n, out var e) ? DomainView.Unknown(e) : null;
            }
        }));
        return [.. views.OfType<DomainView>().OrderBy(d => d.Name, StringComparer.Ordinal)];
    }

    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Every registered server. A server entity that does not answer quickly (its shard was on a server that
    /// just failed and has not moved yet) is shown as last seen: a failed server must not stall failover.
    /// </summary>
    public async Task<IReadOnlyList<ServerView>> ListServersAsync()
    {
        var names = await registry.Get<ServerCatalog>().Ask<CatalogMessages.Entries>(new CatalogMessages.List(), AskTimeout);
        var views = await Task.WhenAll(names.Names.Select(GetServerAsync));
        return [.. views.OfType<ServerView>().OrderBy(s => s.Name, StringComparer.Ordinal)];
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ServerView> LastSeen = new();
    // A live server entity answers in milliseconds; one that does not (its server just failed) is shown as last
    // seen, and failover, which lists the servers to decide, must not wait long for it.
    private static readonly TimeSpan ServerAskTimeout = TimeSpan.FromMilliseconds(500);

    private async Task<ServerView?> GetServerAsync(string name)
    {
        try
        {
            var found = await Servers.Ask<ServerReplies.Found>(new ServerCommands.Get(name), ServerAskTimeout);
            if (found.Server is { } view) LastSeen[name] = view;
            return found.Server;
        }
        catch (AskTimeoutException)
        {
            return LastSeen.GetValueOrDefault(name);
        }
    }

    /// <summary>Each server's last load sample (server name → load), from the replicated load index.</summary>
    public Task<IReadOnlyDictionary<string, ServerLoad>> LoadsAsync() => new LoadIndex(system).ReadAsync();

    /// <summary>The largest domain any registered server could run; null while no server has registered yet.</summary>
    public async Task<DomainLimits?> LimitsAsync()
    {
        var servers = await ListServersAsync();
        return servers.Count == 0
            ? null
            : new DomainLimits(servers.Max(s => s.Cpus), servers.Max(s => s.MemoryMiB));
    }
}
