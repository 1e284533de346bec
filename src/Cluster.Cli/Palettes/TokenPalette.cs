using System.Text.Json.Nodes;
using Cluster.Cli.Output;

namespace Cluster.Cli.Palettes;

/// <summary>token create|list|delete, over /tokens (admin only).</summary>
internal static class TokenPalette
{
    private static readonly SwitchSpec Role = new("--role", "ROLE", "what the token may do: viewer (reads), operator (domains), admin (everything)",
        Required: true, Choices: ["viewer", "operator", "admin"]);
    private static readonly SwitchSpec Name = new("--name", "NAME", "the token's name, recorded as the principal of what it does (default: ROLE-xxxxxx)");

    public static PaletteSpec Spec { get; } = new("token", "API tokens and their roles (admin only)",
    [
        new("create", "make a token; its secret is printed this once only", [], [Role, Name], CreateAsync),
        new("list", "list the tokens: names, roles, when and by whom they were made (no secrets)", [], [], ListAsync),
        new("delete", "revoke a token", ["NAME"], [], DeleteAsync),
    ]);

    private static async Task<int> CreateAsync(CommandContext ctx)
    {
        var body = new JsonObject { ["role"] = ctx.Invocation.Value(Role.Name) };
        if (ctx.Invocation.Value(Name.Name) is { } name)
        {
            body["name"] = name;
        }
        var created = await ctx.Api.PostAsync("tokens", body).ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(created);
            return ExitCodes.Ok;
        }
        ctx.Out.WriteLine($"Token {created.Str("name")} ({created.Str("role")}); it is shown this once only:");
        ctx.Out.WriteLine(created.Str("token"));
        return ExitCodes.Ok;
    }

    private static async Task<int> ListAsync(CommandContext ctx)
    {
        var tokens = await ctx.Api.GetAsync("tokens").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(tokens);
            return ExitCodes.Ok;
        }
        var table = new Table("NAME", "ROLE", "CREATED", "BY");
        foreach (var t in tokens.Items())
        {
            table.Add(t.Str("name"), t.Str("role"), t.Str("createdAt"), t.Str("createdBy"));
        }
        table.Write(ctx.Out);
        return ExitCodes.Ok;
    }

    private static async Task<int> DeleteAsync(CommandContext ctx)
    {
        var revoked = await ctx.Api.DeleteAsync($"tokens/{ApiClient.Segment(ctx.Arg("NAME"))}").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(revoked);
            return ExitCodes.Ok;
        }
        ctx.Out.WriteLine($"Token {ctx.Arg("NAME")} revoked.");
        return ExitCodes.Ok;
    }
}
