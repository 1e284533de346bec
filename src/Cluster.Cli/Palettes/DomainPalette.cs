using System.Text.Json.Nodes;
using Cluster.Cli.Output;

namespace Cluster.Cli.Palettes;

/// <summary>domain create|start|stop|kill|restart|pause|resume|delete|show|list|history.</summary>
internal static class DomainPalette
{
    private static readonly string[] RestartPolicies = ["always", "on-crash", "never"];

    public static PaletteSpec Spec { get; } = new("domain", "domains, the VMs and their resources",
    [
        new("create", "create a domain (it starts when the node places it)", ["NAME"],
        [
            new("--vcpus", "N", "virtual CPUs", Required: true, Min: 1),
            new("--memory", "MiB", "memory in MiB", Required: true, Min: 1),
            new("--disk", "SIZE", "add a disk of SIZE (e.g. 1G; suffix K, M, G, T); repeatable", Repeatable: true),
            new("--restart", "always|on-crash|never", "restart policy (default on-crash)", Choices: RestartPolicies),
            new("--kernel", "PATH", "kernel image on the server (a relative PATH is made absolute)"),
            new("--initrd", "PATH", "initrd image on the server (a relative PATH is made absolute)"),
            new("--cmdline", "STR", "kernel command line"),
            new("--ha", null, "highly available: runs again on another server of its pool when its server fails"),
            new("--pool", "POOL", "server pool the domain runs in (default: default)"),
        ], CreateAsync, StartsJob: true),
        new("start", "start a domain on the best-fitting server of its pool, or on --server", ["NAME"],
        [
            new("--server", "NAME", "the server to start it on"),
        ], ctx => TransitionAsync(ctx, "start"), StartsJob: true),
        new("stop", "stop a domain: ACPI power-down, then kill after the timeout", ["NAME"],
        [
            new("--timeout", "S", "seconds of ACPI power-down before the VMM is killed (node default 30)", Min: 0),
        ], ctx => TransitionAsync(ctx, "stop"), StartsJob: true),
        new("migrate", "live-migrate a running domain to another server of its pool", ["NAME"],
        [
            new("--to", "SERVER", "the server to move it to", Required: true),
        ], ctx => TransitionAsync(ctx, "migrate"), StartsJob: true),
        Transition("kill", "kill the VMM process of a domain at once"),
        Transition("restart", "restart a domain"),
        Transition("pause", "pause a running domain"),
        Transition("resume", "resume a paused domain"),
        new("delete", "delete a stopped domain", ["NAME"], [], DeleteAsync, StartsJob: true),
        new("show", "show one domain", ["NAME"], [], ShowAsync),
        new("list", "list the domains", [], [], ListAsync),
        new("history", "the domain's events as a timeline: state changes, servers, who did what", ["NAME"],
            [DomainHistory.Limit], DomainHistory.RunAsync),
    ]);

    private static CommandSpec Transition(string name, string description) =>
        new(name, description, ["NAME"], [], ctx => TransitionAsync(ctx, name), StartsJob: true);

    private static async Task<int> CreateAsync(CommandContext ctx)
    {
        var inv = ctx.Invocation;
        var name = ctx.Arg("NAME");
        var body = new JsonObject
        {
            ["name"] = name,
            ["vcpus"] = inv.Int("--vcpus", 1, ctx.Palette.Name),
            ["memoryMiB"] = inv.Int("--memory", 1, ctx.Palette.Name),
        };
        var disks = inv.Values("--disk");
        if (disks.Count > 0)
        {
            body["disks"] = new JsonArray(disks.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray());
        }
        if (inv.Value("--restart") is { } restart)
        {
            body["restart"] = restart;
        }
        if (inv.Value("--kernel") is { } kernel)
        {
            body["kernel"] = Absolute(ctx, kernel);
        }
        if (inv.Value("--initrd") is { } initrd)
        {
            body["initrd"] = Absolute(ctx, initrd);
        }
        if (inv.Value("--cmdline") is { } cmdline)
        {
            body["cmdline"] = cmdline;
        }
        if (inv.Has("--ha"))
        {
            body["ha"] = true;
        }
        if (inv.Value("--pool") is { } pool)
        {
            body["pool"] = pool;
        }

        var answer = await ctx.Api.PostAsync("domains", body).ConfigureAwait(false);
        return await JobFollower.HandleAsync(ctx, answer, name).ConfigureAwait(false);
    }

    private static async Task<int> TransitionAsync(CommandContext ctx, string command)
    {
        var name = ctx.Arg("NAME");
        var path = $"domains/{ApiClient.Segment(name)}/{command}";
        if (command == "stop" && ctx.Invocation.Int("--timeout", 0, ctx.Palette.Name) is { } timeout)
        {
            path += $"?timeout={Json.Invariant(timeout)}";
        }
        if (command == "migrate" && ctx.Invocation.Value("--to") is { } to)
        {
            path += $"?to={Uri.EscapeDataString(to)}";
        }
        if (command == "start" && ctx.Invocation.Value("--server") is { } server)
        {
            path += $"?server={Uri.EscapeDataString(server)}";
        }
        var answer = await ctx.Api.PostAsync(path).ConfigureAwait(false);
        return await JobFollower.HandleAsync(ctx, answer, name).ConfigureAwait(false);
    }

    private static async Task<int> DeleteAsync(CommandContext ctx)
    {
        var name = ctx.Arg("NAME");
        var answer = await ctx.Api.DeleteAsync($"domains/{ApiClient.Segment(name)}").ConfigureAwait(false);
        return await JobFollower.HandleAsync(ctx, answer, name).ConfigureAwait(false);
    }

    private static async Task<int> ShowAsync(CommandContext ctx)
    {
        var d = await ctx.Api.GetAsync($"domains/{ApiClient.Segment(ctx.Arg("NAME"))}").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(d);
            return ExitCodes.Ok;
        }
        var details = new Details()
            .Add("Name", d.Str("name"))
            .Add("State", d.Str("state"))
            .Add("Desired", d.Str("desiredState"))
            .Add("Server", d.Str("server"))
            .Add("vCPUs", d.Str("vcpus"))
            .Add("Memory", Format.MiB(d.Long("memoryMiB")));
        var i = 0;
        foreach (var disk in d.Items("disks"))
        {
            details.Add($"Disk {i++}", $"{Format.Cell(Format.Size(disk.Long("sizeBytes")))} {Format.Cell(disk.Str("path"))}");
        }
        details
            .Add("Restart", d.Str("restart"))
            .Add("Kernel", d.Str("kernel"))
            .Add("Initrd", d.Str("initrd"))
            .Add("Cmdline", d.Str("cmdline"))
            .Add("PID", d.Str("pid"))
            .Add("Last error", d.Str("lastError"))
            .Add("Last exit", d.Str("lastExit"))
            .Add("Created", d.Str("createdAt"))
            .Add("Updated", d.Str("updatedAt"))
            .Write(ctx.Out);
        return ExitCodes.Ok;
    }

    private static async Task<int> ListAsync(CommandContext ctx)
    {
        var domains = await ctx.Api.GetAsync("domains").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(domains);
            return ExitCodes.Ok;
        }
        var table = new Table("NAME", "STATE", "DESIRED", "SERVER", "VCPUS", "MEMORY", "PID");
        foreach (var d in domains.Items())
        {
            table.Add(d.Str("name"), d.Str("state"), d.Str("desiredState"), d.Str("server"), d.Str("vcpus"),
                Format.MiB(d.Long("memoryMiB")), d.Str("pid"));
        }
        if (table.Count == 0)
        {
            ctx.Out.WriteLine("No domains.");
            return ExitCodes.Ok;
        }
        table.Write(ctx.Out);
        return ExitCodes.Ok;
    }

    private static string Absolute(CommandContext ctx, string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(path, ctx.Options.CurrentDirectory);
}
