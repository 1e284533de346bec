using Cluster.Cli.Output;

namespace Cluster.Cli.Palettes;

/// <summary>pool balance, over POST /pools/{name}/balance.</summary>
internal static class PoolPalette
{
    public static PaletteSpec Spec { get; } = new("pool", "server pools: the sets of servers domains move within",
    [
        new("balance", "balance a pool's load now: live-migrate domains off servers above its thresholds", ["POOL"],
        [
            new("--dry-run", null, "print the plan (domain, from, to, reason) without moving anything"),
        ], BalanceAsync),
    ]);

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
}
