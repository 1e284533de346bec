using Akka.Actor;
using Actors.Domains;
using Actors.Domains.Jobs;
using Actors.Servers;
using Actors.Servers.Pools;
using Actors.Servers.Load;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>/servers: registered servers with what their domains use and their last load sample; an admin moves a server between pools.</summary>
public static class ServerRoutes
{
    /// <summary>Load fields are null until the server's first sample reached this node.</summary>
    public sealed record ServerSummary(
        string Name, string Address, string Pool, int Cpus, long MemoryMiB, string Hypervisor, string? QemuVersion,
        string Vmm, DateTimeOffset RegisteredAt, string Status, int Domains, int UsedVcpus, long UsedMemoryMiB,
        double? CpuPercent, double? MemoryPercent, DateTimeOffset? LoadSampledAt, IReadOnlyList<DomainCpu> TopDomains, bool Maintenance);

    /// <summary>A domain's share of its server's CPU in the last sample.</summary>
    public sealed record DomainCpu(string Name, double CpuPercent);

    private const int TopDomainCount = 5;

    public sealed record PoolMembershipRequest(string? Pool);

    public static void Map(WebApplication app)
    {
        app.MapGet("/servers", async (NodeDirectory dir, ClusterView cluster) =>
        {
            var domains = await dir.ListDomainsAsync();
            var loads = await dir.LoadsAsync();
            return ApiResults.Ok((await dir.ListServersAsync()).Select(s => Summary(s, domains, loads, cluster)));
        }).Allow(Role.Viewer);
        app.MapGet("/servers/{name}", async (string name, NodeDirectory dir, ClusterView cluster) =>
        {
            if (DomainSpecValidation.CheckName(name) is { } bad) return ApiResults.Error(400, bad.Message.Replace("name", "server name"), "name");
            var server = (await dir.ListServersAsync()).FirstOrDefault(s => s.Name == name);
            return server is null
                ? ApiResults.Error(404, $"server {name} does not exist", "name")
                : ApiResults.Ok(Summary(server, await dir.ListDomainsAsync(), await dir.LoadsAsync(), cluster));
        }).Allow(Role.Viewer);
        app.MapPut("/servers/{name}/pool", async (string name, HttpRequest http, NodeDirectory dir, ClusterView cluster, NodeOptions node) =>
        {
            var (request, bodyError) = await ApiResults.ReadBodyAsync<PoolMembershipRequest>(http);
            if (bodyError is not null) return bodyError;
            if (DomainSpecValidation.CheckName(request!.Pool) is { } bad) return ApiResults.Error(400, bad.Message.Replace("name", "pool name"), "pool");
            return await MoveToPoolAsync(name, request.Pool!, http, dir, cluster, node);
        }).Allow(Role.Admin);
        app.MapDelete("/servers/{name}/pool", (string name, HttpRequest http, NodeDirectory dir, ClusterView cluster, NodeOptions node) =>
            MoveToPoolAsync(name, PoolEntity.Default, http, dir, cluster, node)).Allow(Role.Admin);
        // Maintenance on: persisted first (the scheduler excludes the server at once), then its domains are evacuated.
        app.MapPut("/servers/{name}/maintenance", async (string name, HttpRequest http, NodeDirectory dir, NodeOptions node, Evacuation evacuation) =>
        {
            if (await SetMaintenanceAsync(name, true, http, dir, node) is { } refusal) return refusal;
            var jobId = evacuation.Start(name, Principal.Of(http));
            var job = (await dir.Jobs.Ask<JobMessages.Found>(new JobMessages.Get(jobId), NodeDirectory.AskTimeout)).Job;
            return ApiResults.Ok(new { job }, 202);
        }).Allow(Role.Admin);
        app.MapDelete("/servers/{name}/maintenance", async (string name, HttpRequest http, NodeDirectory dir, ClusterView cluster, NodeOptions node) =>
            await SetMaintenanceAsync(name, false, http, dir, node)
            ?? ApiResults.Ok(Summary((await dir.ListServersAsync()).Single(s => s.Name == name), await dir.ListDomainsAsync(), await dir.LoadsAsync(), cluster))).Allow(Role.Admin);
    }

    /// <summary>Null once the server's maintenance flag is as asked; otherwise the refusal.</summary>
    private static async Task<IResult?> SetMaintenanceAsync(string name, bool on, HttpRequest http, NodeDirectory dir, NodeOptions node)
    {
        if (DomainSpecValidation.CheckName(name) is { } bad) return ApiResults.Error(400, bad.Message.Replace("name", "server name"), "name");
        var found = await dir.Servers.Ask<ServerReplies.Found>(new ServerCommands.SetMaintenance(name, on, PoolRoutes.Meta(http, node)), NodeDirectory.AskTimeout);
        return found.Server is null ? ApiResults.Error(404, $"server {name} does not exist", "name") : null;
    }

    /// <summary>
    /// A server changes pools only while none of its domains holds it (running, paused, starting…): they would
    /// belong to one pool and run in another. The check and the change are two steps: a start racing it is placed
    /// by a scheduler that sees the new pool a moment later.
    /// </summary>
    private static async Task<IResult> MoveToPoolAsync(string name, string pool, HttpRequest http, NodeDirectory dir, ClusterView cluster, NodeOptions node)
    {
        if (DomainSpecValidation.CheckName(name) is { } bad) return ApiResults.Error(400, bad.Message.Replace("name", "server name"), "name");
        var server = (await dir.ListServersAsync()).FirstOrDefault(s => s.Name == name);
        if (server is null) return ApiResults.Error(404, $"server {name} does not exist", "name");
        if (await dir.GetPoolAsync(pool) is null) return PoolRoutes.NoSuchPool(pool, "pool");
        var domains = await dir.ListDomainsAsync();
        var holding = domains.Where(d => d.Server == name && d.State is not ("stopped" or "crashed")).Select(d => d.Name).ToList();
        if (server.Pool != pool && holding.Count > 0)
            return ApiResults.Error(409, $"server {name} cannot leave pool {server.Pool} while domains run on it: {string.Join(", ", holding)}; "
                                         + "migrate or stop them first", "name");
        var moved = await dir.Servers.Ask<ServerReplies.Found>(new ServerCommands.MoveToPool(name, pool, PoolRoutes.Meta(http, node)), NodeDirectory.AskTimeout);
        return ApiResults.Ok(Summary(moved.Server!, domains, await dir.LoadsAsync(), cluster));
    }

    private static ServerSummary Summary(ServerView s, IReadOnlyList<DomainView> domains,
        IReadOnlyDictionary<string, ServerLoad> loads, ClusterView cluster)
    {
        var mine = domains.Where(d => d.Server == s.Name).ToList();
        var load = loads.GetValueOrDefault(s.Name);
        var top = load is null
            ? []
            : load.DomainCpuPercent.OrderByDescending(d => d.Value).ThenBy(d => d.Key, StringComparer.Ordinal)
                .Take(TopDomainCount).Select(d => new DomainCpu(d.Key, Math.Round(d.Value, 1))).ToList();
        return new ServerSummary(s.Name, s.Address, s.Pool, s.Cpus, s.MemoryMiB, s.Hypervisor, s.QemuVersion, s.Vmm,
            s.RegisteredAt, cluster.StatusOf(s.Address), mine.Count, mine.Sum(d => d.Vcpus), mine.Sum(d => (long)d.MemoryMiB),
            load is null ? null : Math.Round(load.CpuPercent, 1), load is null ? null : Math.Round(load.MemoryPercent, 1),
            load?.SampledAt, top, s.Maintenance);
    }
}
