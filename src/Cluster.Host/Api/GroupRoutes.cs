using Akka.Actor;
using Actors.Domains;
using Actors.Servers.Pools;
using Actors.Servers.Scheduling;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>
/// /groups: anti-affinity groups, whose domains never share a server. A group lives in its pool (the pool entity
/// persists it); names are unique across pools. Admin changes them; viewers read.
/// </summary>
public static class GroupRoutes
{
    public sealed record GroupRequest(string? Name, string? Pool);
    public sealed record MembersRequest(IReadOnlyList<string>? Domains);
    public sealed record GroupMember(string Name, string? Server, string State);
    public sealed record GroupSummary(string Name, string Pool, IReadOnlyList<GroupMember> Domains);

    public static void Map(WebApplication app)
    {
        app.MapGet("/groups", async (NodeDirectory dir) =>
        {
            var domains = await dir.ListDomainsAsync();
            return ApiResults.Ok((await dir.ListPoolsAsync()).SelectMany(p => p.Groups).Select(g => Summary(g, domains)));
        }).Allow(Role.Viewer);
        app.MapGet("/groups/{name}", async (string name, NodeDirectory dir) =>
            await FindAsync(dir, name) is { } group ? ApiResults.Ok(Summary(group, await dir.ListDomainsAsync())) : NoSuchGroup(name)).Allow(Role.Viewer);
        app.MapPost("/groups", async (HttpRequest http, NodeDirectory dir, NodeOptions node) =>
        {
            var (request, bodyError) = await ApiResults.ReadBodyAsync<GroupRequest>(http);
            if (bodyError is not null) return bodyError;
            if (DomainSpecValidation.CheckName(request!.Name) is { } bad) return ApiResults.Error(400, bad.Message.Replace("name", "group name"), "name");
            if (DomainSpecValidation.CheckName(request.Pool) is { } badPool) return ApiResults.Error(400, badPool.Message.Replace("name", "pool name"), "pool");
            if (await dir.GetPoolAsync(request.Pool!) is null) return PoolRoutes.NoSuchPool(request.Pool!, "pool");
            if (await FindAsync(dir, request.Name!) is { } existing)
                return ApiResults.Error(409, $"group {existing.Name} exists already (in pool {existing.Pool})", "name");
            return await AskAsync(dir, request.Name!, new PoolCommands.CreateGroup(request.Pool!, request.Name!, PoolRoutes.Meta(http, node)), 201);
        }).Allow(Role.Admin);
        app.MapPost("/groups/{name}/members", async (string name, HttpRequest http, NodeDirectory dir, NodeOptions node) =>
        {
            var (request, bodyError) = await ApiResults.ReadBodyAsync<MembersRequest>(http);
            if (bodyError is not null) return bodyError;
            if (request!.Domains is not { Count: > 0 } names) return ApiResults.Error(400, "domains must name at least one domain", "domains");
            if (await FindAsync(dir, name) is not { } group) return NoSuchGroup(name);
            var pools = await dir.ListPoolsAsync();
            var domains = await dir.ListDomainsAsync();
            if (Refusal(group, names, pools.Single(p => p.Settings.Name == group.Pool).Groups, domains) is { } refusal)
                return ApiResults.Error(refusal.Status, refusal.Message, "domains");
            return await AskAsync(dir, name, new PoolCommands.AddToGroup(group.Pool, name, [.. names.Distinct()], PoolRoutes.Meta(http, node)), 200);
        }).Allow(Role.Admin);
        app.MapDelete("/groups/{name}/members/{domain}", async (string name, string domain, HttpRequest http, NodeDirectory dir, NodeOptions node) =>
            await FindAsync(dir, name) is { } group
                ? await AskAsync(dir, name, new PoolCommands.RemoveFromGroup(group.Pool, name, [domain], PoolRoutes.Meta(http, node)), 200)
                : NoSuchGroup(name)).Allow(Role.Admin);
        app.MapDelete("/groups/{name}", async (string name, HttpRequest http, NodeDirectory dir, NodeOptions node) =>
        {
            if (await FindAsync(dir, name) is not { } group) return NoSuchGroup(name);
            var reply = await dir.Pools.Ask(new PoolCommands.DeleteGroup(group.Pool, name, PoolRoutes.Meta(http, node)), NodeDirectory.AskTimeout);
            return reply is PoolReplies.Refused r ? ApiResults.Error(r.Status, r.Message, "name") : ApiResults.Ok(new { name, deleted = true });
        }).Allow(Role.Admin);
    }

    /// <summary>
    /// Why these domains cannot join the group, if they cannot: each must exist, be of the group's pool and of no
    /// other group, and no two members may run on one server now (the scheduler keeps them apart from then on).
    /// </summary>
    private static (int Status, string Message)? Refusal(AntiAffinityGroup group, IReadOnlyList<string> names,
        IReadOnlyList<AntiAffinityGroup> poolGroups, IReadOnlyList<DomainView> domains)
    {
        var byName = domains.ToDictionary(d => d.Name);
        foreach (var name in names)
        {
            if (!byName.TryGetValue(name, out var d)) return (404, $"domain {DomainSpecValidation.Printable(name)} does not exist");
            if (d.Pool != group.Pool) return (409, $"domain {name} is in pool {d.Pool}; group {group.Name} is in pool {group.Pool}");
            if (poolGroups.FirstOrDefault(g => g.Name != group.Name && g.Domains.Contains(name)) is { } other)
                return (409, $"domain {name} is in group {other.Name} already; a domain is in one group at most");
        }
        var running = group.Domains.Concat(names).Distinct()
            .Select(n => byName.GetValueOrDefault(n))
            .Where(d => d is { Server: not null } && d.State is not ("stopped" or "crashed"))
            .GroupBy(d => d!.Server);
        if (running.FirstOrDefault(g => g.Count() > 1) is { } shared)
            return (409, $"{string.Join(" and ", shared.Select(d => d!.Name).Order(StringComparer.Ordinal))} run on server {shared.Key}; "
                         + $"migrate one of them before they are in group {group.Name} together");
        return null;
    }

    private static async Task<AntiAffinityGroup?> FindAsync(NodeDirectory dir, string name) =>
        (await dir.ListPoolsAsync()).SelectMany(p => p.Groups).FirstOrDefault(g => g.Name == name);

    private static IResult NoSuchGroup(string name) =>
        ApiResults.Error(404, $"group {DomainSpecValidation.Printable(name)} does not exist; `vmc group list` shows the groups", "name");

    private static async Task<IResult> AskAsync(NodeDirectory dir, string group, IPoolMessage command, int status)
    {
        var reply = await dir.Pools.Ask(command, NodeDirectory.AskTimeout);
        return reply switch
        {
            PoolReplies.Found { Pool: { } pool } => ApiResults.Ok(Summary(pool.Groups.Single(g => g.Name == group), await dir.ListDomainsAsync()), status),
            PoolReplies.Refused r => ApiResults.Error(r.Status, r.Message, "name"),
            _ => ApiResults.Error(500, "unexpected reply from the pool"),
        };
    }

    private static GroupSummary Summary(AntiAffinityGroup g, IReadOnlyList<DomainView> domains) =>
        new(g.Name, g.Pool, [.. g.Domains.Select(n => domains.FirstOrDefault(d => d.Name == n) is { } d
            ? new GroupMember(n, d.Server, d.State)
            : new GroupMember(n, null, "deleted"))]);
}
