using System.Text.Json;
using System.Text.Json.Nodes;
using Cluster.Cli.Output;

namespace Cluster.Cli.Palettes;

/// <summary>server list|show|add-to-pool|remove-from-pool|maintenance, over /servers: facts, use, the last load sample.</summary>
internal static class ServerPalette
{
    public static PaletteSpec Spec { get; } = new("server", "servers, the hosts with a hypervisor",
    [
        new("list", "list the servers", [], [], ListAsync),
        new("show", "show one server", ["NAME"], [], ShowAsync),
        new("add-to-pool", "move a server without running domains into POOL", ["SERVER", "POOL"], [],
            ctx => MoveAsync(ctx, ctx.Api.PutAsync($"servers/{ApiClient.Segment(ctx.Arg("SERVER"))}/pool", new JsonObject { ["pool"] = ctx.Arg("POOL") }))),
        new("remove-from-pool", "move a server without running domains back to pool default", ["SERVER"], [],
            ctx => MoveAsync(ctx, ctx.Api.DeleteAsync($"servers/{ApiClient.Segment(ctx.Arg("SERVER"))}/pool"))),
        new("maintenance", "on: place nothing new on the server and live-migrate its domains off (a job); off: place again",
            ["on|off", "NAME"], [], MaintenanceAsync, StartsJob: true),
    ]);

    private static async Task<int> MaintenanceAsync(CommandContext ctx)
    {
        var name = ctx.Arg("NAME");
        var path = $"servers/{ApiClient.Segment(name)}/maintenance";
        switch (ctx.Arg("on|off"))
        {
            case "on":
                return await JobFollower.HandleAsync(ctx, await ctx.Api.PutAsync(path).ConfigureAwait(false), name).ConfigureAwait(false);
            case "off":
                var server = await ctx.Api.DeleteAsync(path).ConfigureAwait(false);
                if (ctx.Json)
                {
                    ctx.WriteJson(server);
                    return ExitCodes.Ok;
                }
                ctx.Out.WriteLine($"Server {server.Str("name")} is out of maintenance: the scheduler places domains there again.");
                return ExitCodes.Ok;
            default:
                throw ctx.Usage($"server maintenance takes on or off, not '{ctx.Arg("on|off")}'");
        }
    }

    private static async Task<int> MoveAsync(CommandContext ctx, Task<JsonElement> request)
    {
        var server = await request.ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(server);
            return ExitCodes.Ok;
        }
        ctx.Out.WriteLine($"Server {server.Str("name")} is in pool {server.Str("pool")}.");
        return ExitCodes.Ok;
    }

    private static async Task<int> ListAsync(CommandContext ctx)
    {
        var servers = await ctx.Api.GetAsync("servers").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(servers);
            return ExitCodes.Ok;
        }
        var table = new Table("NAME", "POOL", "CPUS", "MEMORY", "CPU%", "MEM%", "HYPERVISOR", "QEMU", "DOMAINS", "MAINTENANCE", "ADDRESS");
        foreach (var s in servers.Items())
        {
            table.Add(s.Str("name"), s.Str("pool"), s.Str("cpus"), Format.MiB(s.Long("memoryMiB")),
                Format.Percent(s.Double("cpuPercent")), Format.Percent(s.Double("memoryPercent")),
                s.Str("hypervisor"), s.Str("qemuVersion"), s.Str("domains"), Maintenance(s), s.Str("address"));
        }
        if (table.Count == 0)
        {
            ctx.Out.WriteLine("No servers.");
            return ExitCodes.Ok;
        }
        table.Write(ctx.Out);
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(CommandContext ctx)
    {
        var s = await ctx.Api.GetAsync($"servers/{ApiClient.Segment(ctx.Arg("NAME"))}").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(s);
            return ExitCodes.Ok;
        }
        new Details()
            .Add("Name", s.Str("name"))
            .Add("Address", s.Str("address"))
            .Add("Pool", s.Str("pool"))
            .Add("Maintenance", Maintenance(s))
            .Add("CPUs", s.Str("cpus"))
            .Add("Memory", Format.MiB(s.Long("memoryMiB")))
            .Add("Hypervisor", s.Str("hypervisor"))
            .Add("VMM", s.Str("vmm"))
            .Add("QEMU", s.Str("qemuVersion"))
            .Add("Domains", s.Str("domains"))
            .Add("Used vCPUs", s.Str("usedVcpus"))
            .Add("Used memory", Format.MiB(s.Long("usedMemoryMiB")))
            .Add("CPU load", Format.Percent(s.Double("cpuPercent")))
            .Add("Memory load", Format.Percent(s.Double("memoryPercent")))
            .Add("Sampled at", s.Str("loadSampledAt"))
            .Add("Top domains", string.Join(", ", s.Items("topDomains")
                .Select(d => $"{d.Str("name")} {Format.Percent(d.Double("cpuPercent"))}")))
            .Add("Registered", s.Str("registeredAt"))
            .Write(ctx.Out);
        return ExitCodes.Ok;
    }

    private static string Maintenance(JsonElement s) => s.Str("maintenance") == "true" ? "on" : "off";
}
