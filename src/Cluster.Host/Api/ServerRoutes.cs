using Actors.Domains;
using Actors.Servers;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>/servers: registered servers with what their domains use.</summary>
public static class ServerRoutes
{
    public sealed record ServerSummary(
        string Name, string Address, string Pool, int Cpus, long MemoryMiB, string Hypervisor, string? QemuVersion,
        string Vmm, DateTimeOffset RegisteredAt, string Status, int Domains, int UsedVcpus, long UsedMemoryMiB);

    public static void Map(WebApplication app)
    {
        app.MapGet("/servers", async (NodeDirectory dir, ClusterView cluster) =>
        {
            var domains = await dir.ListDomainsAsync();
            return ApiResults.Ok((await dir.ListServersAsync()).Select(s => Summary(s, domains, cluster)));
        }).Allow(Role.Viewer);
        app.MapGet("/servers/{name}", async (string name, NodeDirectory dir, ClusterView cluster) =>
        {
            if (DomainSpecValidation.CheckName(name) is { } bad) return ApiResults.Error(400, bad.Message.Replace("name", "server name"), "name");
            var server = (await dir.ListServersAsync()).FirstOrDefault(s => s.Name == name);
            return server is null
                ? ApiResults.Error(404, $"server {name} does not exist", "name")
                : ApiResults.Ok(Summary(server, await dir.ListDomainsAsync(), cluster));
        }).Allow(Role.Viewer);
    }

    private static ServerSummary Summary(ServerView s, IReadOnlyList<DomainView> domains, ClusterView cluster)
    {
        var mine = domains.Where(d => d.Server == s.Name).ToList();
        return new ServerSummary(s.Name, s.Address, s.Pool, s.Cpus, s.MemoryMiB, s.Hypervisor, s.QemuVersion, s.Vmm,
            s.RegisteredAt, cluster.StatusOf(s.Address), mine.Count, mine.Sum(d => d.Vcpus), mine.Sum(d => (long)d.MemoryMiB));
    }
}
