using Akka.Actor;
using Akka.Hosting;
using Actors.Domains;
using Actors.Domains.Catalog;
using Actors.Servers;

namespace Cluster.Host.Api;

/// <summary>Reads across entities: every domain, every server, and what servers have room for.</summary>
public sealed class NodeDirectory(IReadOnlyActorRegistry registry)
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public IReadOnlyActorRegistry Registry => registry;
    public IActorRef Domains => registry.Get<DomainRegion>();
    public IActorRef Servers => registry.Get<ServerRegion>();
    public IActorRef Jobs => registry.Get<JobBookKey>();

    public async Task<IReadOnlyList<DomainView>> ListDomainsAsync()
    {
        var names = await registry.Get<DomainCatalog>().Ask<CatalogMessages.Entries>(new CatalogMessages.List(), AskTimeout);
        var replies = await Task.WhenAll(names.Names.Select(n =>
            Domains.Ask<DomainReplies.IDomainReply>(new DomainCommands.Get(n), AskTimeout)));
        return [.. replies.OfType<DomainReplies.Accepted>().Select(a => a.Domain).OrderBy(d => d.Name, StringComparer.Ordinal)];
    }

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
    private static readonly TimeSpan ServerAskTimeout = TimeSpan.FromSeconds(1);

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

    /// <summary>The largest domain any registered server could run; null while no server has registered yet.</summary>
    public async Task<DomainLimits?> LimitsAsync()
    {
        var servers = await ListServersAsync();
        return servers.Count == 0
            ? null
            : new DomainLimits(servers.Max(s => s.Cpus), servers.Max(s => s.MemoryMiB));
    }
}
