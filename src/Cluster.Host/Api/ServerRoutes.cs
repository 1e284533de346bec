using Actors.Domains;
using Actors.Servers;
using Actors.Servers.Load;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>/servers: registered servers with what their domains use and their last load sample.</summary>
public static class ServerRoutes
{
    /// <summary>Load fields are null until the server's first sample reached this node.</summary>
    public sealed record ServerSummary(
        string Name, string Address, string Pool, int Cpus, long MemoryMiB, string Hypervisor, string? QemuVersion,
        string Vmm, DateTimeOffset RegisteredAt, string Status, int Domains, int UsedVcpus, long UsedMemoryMiB,
        double? CpuPercent, double? MemoryPercent, DateTimeOffset? LoadSampledAt, IReadOnlyList<DomainCpu> TopDomains);

    /// <summary>A domain's share of its server's CPU in the last sample.</summary>
    public sealed record DomainCpu(string Name, double CpuPercent);

    private const int TopDomainCount = 5;

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
            load?.SampledAt, top);
    }
}
