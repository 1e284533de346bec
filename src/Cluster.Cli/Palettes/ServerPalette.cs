using Cluster.Cli.Output;

namespace Cluster.Cli.Palettes;

/// <summary>server list|show, over GET /servers and GET /servers/{name}: facts, use, and the last load sample.</summary>
internal static class ServerPalette
{
    public static PaletteSpec Spec { get; } = new("server", "servers, the hosts with a hypervisor",
    [
        new("list", "list the servers", [], [], ListAsync),
        new("show", "show one server", ["NAME"], [], ShowAsync),
    ]);

    private static async Task<int> ListAsync(CommandContext ctx)
    {
        var servers = await ctx.Api.GetAsync("servers").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(servers);
            return ExitCodes.Ok;
        }
        var table = new Table("NAME", "POOL", "CPUS", "MEMORY", "CPU%", "MEM%", "HYPERVISOR", "QEMU", "DOMAINS", "ADDRESS");
        foreach (var s in servers.Items())
        {
            table.Add(s.Str("name"), s.Str("pool"), s.Str("cpus"), Format.MiB(s.Long("memoryMiB")),
                Format.Percent(s.Double("cpuPercent")), Format.Percent(s.Double("memoryPercent")),
                s.Str("hypervisor"), s.Str("qemuVersion"), s.Str("domains"), s.Str("address"));
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
}
