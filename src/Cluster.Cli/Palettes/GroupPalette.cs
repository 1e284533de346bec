using System.Text.Json;
using System.Text.Json.Nodes;
using Cluster.Cli.Output;

namespace Cluster.Cli.Palettes;

/// <summary>group create|add|remove|delete|list|show: anti-affinity groups, over /groups (changes need the admin role).</summary>
internal static class GroupPalette
{
    public static PaletteSpec Spec { get; } = new("group", "anti-affinity groups: domains that never share a server",
    [
        new("create", "create a group in a pool", ["NAME"], [new("--pool", "POOL", "the pool of the group's domains", Required: true)], CreateAsync),
        new("add", "add domains of the group's pool (refused while two of them share a server)", ["NAME", "DOMAIN..."], [], AddAsync),
        new("remove", "remove domains from a group", ["NAME", "DOMAIN..."], [], RemoveAsync),
        new("delete", "delete a group", ["NAME"], [], DeleteAsync),
        new("list", "list the groups", [], [], ListAsync),
        new("show", "show a group: its domains and where they run", ["NAME"], [], ShowAsync),
    ]);

    private static async Task<int> CreateAsync(CommandContext ctx)
    {
        var body = new JsonObject { ["name"] = ctx.Arg("NAME"), ["pool"] = ctx.Invocation.Value("--pool") };
        return Print(ctx, await ctx.Api.PostAsync("groups", body).ConfigureAwait(false), "created");
    }

    private static async Task<int> AddAsync(CommandContext ctx)
    {
        var body = new JsonObject { ["domains"] = new JsonArray([.. ctx.Args("DOMAIN...").Select(d => (JsonNode?)JsonValue.Create(d))]) };
        return Print(ctx, await ctx.Api.PostAsync($"groups/{ApiClient.Segment(ctx.Arg("NAME"))}/members", body).ConfigureAwait(false), "changed");
    }

    private static async Task<int> RemoveAsync(CommandContext ctx)
    {
        var group = default(JsonElement);
        foreach (var domain in ctx.Args("DOMAIN..."))
        {
            group = await ctx.Api.DeleteAsync($"groups/{ApiClient.Segment(ctx.Arg("NAME"))}/members/{ApiClient.Segment(domain)}").ConfigureAwait(false);
        }
        return Print(ctx, group, "changed");
    }

    private static async Task<int> DeleteAsync(CommandContext ctx)
    {
        var deleted = await ctx.Api.DeleteAsync($"groups/{ApiClient.Segment(ctx.Arg("NAME"))}").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(deleted);
            return ExitCodes.Ok;
        }
        ctx.Out.WriteLine($"Group {ctx.Arg("NAME")} deleted.");
        return ExitCodes.Ok;
    }

    private static async Task<int> ListAsync(CommandContext ctx)
    {
        var groups = await ctx.Api.GetAsync("groups").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(groups);
            return ExitCodes.Ok;
        }
        var table = new Table("NAME", "POOL", "DOMAINS");
        foreach (var g in groups.Items())
        {
            table.Add(g.Str("name"), g.Str("pool"), string.Join(", ", g.Items("domains").Select(d => d.Str("name"))));
        }
        if (table.Count == 0)
        {
            ctx.Out.WriteLine("No groups.");
            return ExitCodes.Ok;
        }
        table.Write(ctx.Out);
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(CommandContext ctx) =>
        Print(ctx, await ctx.Api.GetAsync($"groups/{ApiClient.Segment(ctx.Arg("NAME"))}").ConfigureAwait(false), null);

    /// <summary>A group and its domains; <paramref name="done"/> ("created", "changed") heads it after a change.</summary>
    private static int Print(CommandContext ctx, JsonElement g, string? done)
    {
        if (ctx.Json)
        {
            ctx.WriteJson(g);
            return ExitCodes.Ok;
        }
        ctx.Out.WriteLine(done is null ? $"Group {g.Str("name")} (pool {g.Str("pool")})" : $"Group {g.Str("name")} {done} (pool {g.Str("pool")}).");
        var table = new Table("DOMAIN", "SERVER", "STATE");
        foreach (var d in g.Items("domains"))
        {
            table.Add(d.Str("name"), d.Str("server"), d.Str("state"));
        }
        if (table.Count > 0)
        {
            table.Write(ctx.Out);
        }
        return ExitCodes.Ok;
    }
}
