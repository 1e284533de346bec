using Akka.Actor;
using Actors.Domains;
using Actors.Servers;
using Actors.Servers.Pools;
using Actors.Servers.Scheduling;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>/pools: server pools and their scheduling settings (admin changes them; viewers read).</summary>
public static class PoolRoutes
{
    public sealed record PoolSummary(
        string Name, string Policy, bool Ha, double CpuThreshold, double MemoryThreshold, int SustainSeconds, bool Balancing,
        IReadOnlyList<string> Servers, int Domains, IReadOnlyList<string> Groups);

    public static void Map(WebApplication app)
    {
        app.MapGet("/pools", async (NodeDirectory dir) =>
        {
            var (servers, domains) = (await dir.ListServersAsync(), await dir.ListDomainsAsync());
            return ApiResults.Ok((await dir.ListPoolsAsync()).Select(p => Summary(p, servers, domains)));
        }).Allow(Role.Viewer);
        app.MapGet("/pools/{name}", async (string name, NodeDirectory dir) =>
        {
            if (DomainSpecValidation.CheckName(name) is { } bad) return ApiResults.Error(400, bad.Message.Replace("name", "pool name"), "name");
            return await dir.GetPoolAsync(name) is { } pool
                ? ApiResults.Ok(Summary(pool, await dir.ListServersAsync(), await dir.ListDomainsAsync()))
                : NoSuchPool(name);
        }).Allow(Role.Viewer);
        app.MapPost("/pools", async (HttpRequest http, NodeDirectory dir, NodeOptions node) =>
        {
            var (request, bodyError) = await ApiResults.ReadBodyAsync<PoolRequest>(http);
            if (bodyError is not null) return bodyError;
            if (DomainSpecValidation.CheckName(request!.Name) is { } bad) return ApiResults.Error(400, bad.Message.Replace("name", "pool name"), "name");
            var (settings, invalid) = request.ApplyTo(PoolSettings.DefaultFor(request.Name!));
            if (invalid is not null) return ApiResults.Error(400, invalid.Message, invalid.Field);
            return await AskAsync(dir, new PoolCommands.Create(settings!.Name, settings, Meta(http, node)), 201);
        }).Allow(Role.Admin);
        app.MapMethods("/pools/{name}", ["PATCH"], async (string name, HttpRequest http, NodeDirectory dir, NodeOptions node) =>
        {
            if (DomainSpecValidation.CheckName(name) is { } bad) return ApiResults.Error(400, bad.Message.Replace("name", "pool name"), "name");
            var (request, bodyError) = await ApiResults.ReadBodyAsync<PoolRequest>(http);
            if (bodyError is not null) return bodyError;
            if (request!.Name is not null && request.Name != name)
                return ApiResults.Error(400, $"a pool cannot be renamed; the body names {DomainSpecValidation.Printable(request.Name)}, the path {name}", "name");
            if (await dir.GetPoolAsync(name) is not { } current) return NoSuchPool(name);
            var (settings, invalid) = request.ApplyTo(current.Settings);
            if (invalid is not null) return ApiResults.Error(400, invalid.Message, invalid.Field);
            return await AskAsync(dir, new PoolCommands.Change(name, settings!, Meta(http, node)), 200);
        }).Allow(Role.Admin);
        app.MapDelete("/pools/{name}", async (string name, HttpRequest http, NodeDirectory dir, NodeOptions node) =>
        {
            if (DomainSpecValidation.CheckName(name) is { } bad) return ApiResults.Error(400, bad.Message.Replace("name", "pool name"), "name");
            var servers = (await dir.ListServersAsync()).Where(s => s.Pool == name).Select(s => s.Name).ToList();
            var domains = (await dir.ListDomainsAsync()).Where(d => d.Pool == name).Select(d => d.Name).ToList();
            if (servers.Count + domains.Count > 0)
                return ApiResults.Error(409, $"pool {name} still has " + string.Join(" and ",
                    new[] { Named("server", servers), Named("domain", domains) }.Where(x => x.Length > 0))
                    + "; move or delete them first", "name");
            var reply = await dir.Pools.Ask(new PoolCommands.Delete(name, Meta(http, node)), NodeDirectory.AskTimeout);
            return reply is PoolReplies.Refused r ? ApiResults.Error(r.Status, r.Message, "name") : ApiResults.Ok(new { name, deleted = true });
        }).Allow(Role.Admin);
    }

    public static IResult NoSuchPool(string name, string field = "name") =>
        ApiResults.Error(404, $"pool {name} does not exist; `vmc pool list` shows the pools", field);

    public static EventMeta Meta(HttpRequest http, NodeOptions node) => new(Principal.Of(http), DateTimeOffset.UtcNow, null, node.Name);

    private static async Task<IResult> AskAsync(NodeDirectory dir, IPoolMessage command, int status)
    {
        var reply = await dir.Pools.Ask(command, NodeDirectory.AskTimeout);
        return reply switch
        {
            PoolReplies.Found { Pool: { } pool } => ApiResults.Ok(Summary(pool, await dir.ListServersAsync(), await dir.ListDomainsAsync()), status),
            PoolReplies.Refused r => ApiResults.Error(r.Status, r.Message, "name"),
            _ => ApiResults.Error(500, "unexpected reply from the pool"),
        };
    }

    private static string Named(string what, IReadOnlyList<string> names) =>
        names.Count == 0 ? "" : $"{what}{(names.Count == 1 ? "" : "s")} {string.Join(", ", names)}";

    private static PoolSummary Summary(PoolEntry pool, IReadOnlyList<ServerView> servers, IReadOnlyList<DomainView> domains)
    {
        var p = pool.Settings;
        return new(p.Name, p.Policy.Word(), p.Ha, p.Thresholds.CpuPercent, p.Thresholds.MemoryPercent,
            (int)p.Thresholds.SustainFor.TotalSeconds, p.Balancing,
            [.. servers.Where(s => s.Pool == p.Name).Select(s => s.Name)], domains.Count(d => d.Pool == p.Name),
            [.. pool.Groups.Select(g => g.Name)]);
    }
}
