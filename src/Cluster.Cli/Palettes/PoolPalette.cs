using System.Text.Json;
using System.Text.Json.Nodes;
using Cluster.Cli.Output;

namespace Cluster.Cli.Palettes;

/// <summary>pool create|set|delete|list|show|balance, over /pools (changes need the admin role).</summary>
internal static class PoolPalette
{
    private static readonly string[] OnOff = ["on", "off"];

    // Every setting is optional: create starts from the defaults, set changes only what it names.
    private static readonly SwitchSpec[] Settings =
    [
        new("--policy", "best-fit|balance|current-server", "where new and moved domains go (default best-fit)",
            Choices: ["best-fit", "balance", "current-server"]),
        new("--ha", "on|off", "whether HA domains start again on another server when theirs fails (default on)", Choices: OnOff),
        new("--cpu-threshold", "PCT", "a server above PCT % CPU for the sustain time is overloaded (default 80)", Min: 1),
        new("--memory-threshold", "PCT", "a server above PCT % memory for the sustain time is overloaded (default 90)", Min: 1),
        new("--sustain", "DURATION", "how long a threshold must be exceeded, like 90s or 5m (default 60s)"),
        new("--balancing", "on|off", "whether the balancer moves domains off overloaded servers (default off)", Choices: OnOff),
    ];

    public static PaletteSpec Spec { get; } = new("pool", "server pools: where domains run, start, migrate and fail over",
    [
        new("create", "create a pool", ["NAME"], Settings, CreateAsync),
        new("set", "change a pool's settings", ["NAME"], Settings, SetAsync),
        new("delete", "delete a pool without servers or domains", ["NAME"], [], DeleteAsync),
        new("list", "list the pools", [], [], ListAsync),
        new("show", "show one pool: settings, servers, domains, groups", ["NAME"], [], ShowAsync),
        new("balance", "balance a pool's load now: live-migrate domains off servers above its thresholds", ["POOL"],
        [
            new("--dry-run", null, "print the plan (domain, from, to, reason) without moving anything"),
        ], BalanceAsync),
    ]);

    private static async Task<int> CreateAsync(CommandContext ctx)
    {
        var body = Body(ctx);
        body["name"] = ctx.Arg("NAME");
        return Print(ctx, await ctx.Api.PostAsync("pools", body).ConfigureAwait(false), "created");
    }

    private static async Task<int> SetAsync(CommandContext ctx)
    {
        var body = Body(ctx);
        if (body.Count == 0)
        {
            throw ctx.Usage("pool set needs at least one setting: " + string.Join(", ", Settings.Select(s => s.Name)));
        }
        return Print(ctx, await ctx.Api.PatchAsync($"pools/{ApiClient.Segment(ctx.Arg("NAME"))}", body).ConfigureAwait(false), "changed");
    }

    private static async Task<int> DeleteAsync(CommandContext ctx)
    {
        var deleted = await ctx.Api.DeleteAsync($"pools/{ApiClient.Segment(ctx.Arg("NAME"))}").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(deleted);
            return ExitCodes.Ok;
        }
        ctx.Out.WriteLine($"Pool {ctx.Arg("NAME")} deleted.");
        return ExitCodes.Ok;
    }

    private static async Task<int> ListAsync(CommandContext ctx)
    {
        var pools = await ctx.Api.GetAsync("pools").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(pools);
            return ExitCodes.Ok;
        }
        var table = new Table("NAME", "POLICY", "HA", "BALANCING", "CPU", "MEMORY", "SUSTAIN", "SERVERS", "DOMAINS");
        foreach (var p in pools.Items())
        {
            table.Add(p.Str("name"), p.Str("policy"), OnOrOff(p, "ha"), OnOrOff(p, "balancing"), $"{p.Str("cpuThreshold")}%",
                $"{p.Str("memoryThreshold")}%", $"{p.Str("sustainSeconds")}s", Json.Invariant(p.Items("servers").Count()), p.Str("domains"));
        }
        table.Write(ctx.Out);
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(CommandContext ctx) =>
        Print(ctx, await ctx.Api.GetAsync($"pools/{ApiClient.Segment(ctx.Arg("NAME"))}").ConfigureAwait(false), null);

    private static JsonObject Body(CommandContext ctx)
    {
        var inv = ctx.Invocation;
        var body = new JsonObject();
        if (inv.Value("--policy") is { } policy)
        {
            body["policy"] = policy;
        }
        if (inv.Value("--ha") is { } ha)
        {
            body["ha"] = ha == "on";
        }
        if (inv.Int("--cpu-threshold", 1, ctx.Palette.Name) is { } cpu)
        {
            body["cpuThreshold"] = cpu;
        }
        if (inv.Int("--memory-threshold", 1, ctx.Palette.Name) is { } memory)
        {
            body["memoryThreshold"] = memory;
        }
        if (inv.Value("--sustain") is { } sustain)
        {
            body["sustain"] = sustain;
        }
        if (inv.Value("--balancing") is { } balancing)
        {
            body["balancing"] = balancing == "on";
        }
        return body;
    }

    /// <summary>A pool's details; <paramref name="done"/> ("created", "changed") heads them after a change.</summary>
    private static int Print(CommandContext ctx, JsonElement p, string? done)
    {
        if (ctx.Json)
        {
            ctx.WriteJson(p);
            return ExitCodes.Ok;
        }
        if (done is not null)
        {
            ctx.Out.WriteLine($"Pool {p.Str("name")} {done}.");
        }
        new Details()
            .Add("Name", p.Str("name"))
            .Add("Policy", p.Str("policy"))
            .Add("HA", OnOrOff(p, "ha"))
            .Add("Balancing", OnOrOff(p, "balancing"))
            .Add("CPU threshold", $"{p.Str("cpuThreshold")}%")
            .Add("Memory threshold", $"{p.Str("memoryThreshold")}%")
            .Add("Sustain", $"{p.Str("sustainSeconds")}s")
            .Add("Servers", string.Join(", ", p.Items("servers").Select(Json.AsText)))
            .Add("Domains", p.Str("domains"))
            .Add("Groups", string.Join(", ", p.Items("groups").Select(Json.AsText)))
            .Write(ctx.Out);
        return ExitCodes.Ok;
    }

    private static async Task<int> BalanceAsync(CommandContext ctx)
    {
        var pool = ctx.Arg("POOL");
        var dryRun = ctx.Invocation.Has("--dry-run");
        var answer = await ctx.Api.PostAsync($"pools/{ApiClient.Segment(pool)}/balance{(dryRun ? "?dryRun=true" : "")}").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(answer);
            return ExitCodes.Ok;
        }
        var table = new Table("DOMAIN", "FROM", "TO", "REASON");
        foreach (var m in answer.Items("moves"))
            table.Add(m.Str("domain"), m.Str("from"), m.Str("to"), m.Str("reason"));
        if (table.Count == 0)
            ctx.Out.WriteLine($"Pool {pool}: nothing to move.");
        else
        {
            ctx.Out.WriteLine(dryRun ? $"Pool {pool}: would move {table.Count} domain(s) (dry run):" : $"Pool {pool}: moving {table.Count} domain(s):");
            table.Write(ctx.Out);
        }
        foreach (var note in answer.Items("notes")) ctx.Out.WriteLine($"Note: {Json.AsText(note)}");
        return ExitCodes.Ok;
    }

    private static string OnOrOff(JsonElement p, string name) => p.Str(name) == "true" ? "on" : "off";
}
