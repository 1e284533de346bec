using System.Text.Json;
using Cluster.Cli.Output;

namespace Cluster.Cli.Palettes;

/// <summary>job show|list|follow, over GET /jobs/{id} and GET /jobs.</summary>
internal static class JobPalette
{
    public static PaletteSpec Spec { get; } = new("job", "jobs, the records of state-changing requests",
    [
        new("list", "list the recent jobs of the node, newest first", [], [], ListAsync),
        new("show", "show one job", ["ID"], [], ShowAsync),
        new("follow", "follow a job until it ends, with a progress bar for long ones (migration, evacuation); exit 0 if it succeeded", ["ID"], [], FollowAsync),
    ]);

    private static async Task<int> FollowAsync(CommandContext ctx)
    {
        var job = await ctx.Api.GetAsync($"jobs/{ApiClient.Segment(ctx.Arg("ID"))}").ConfigureAwait(false);
        try
        {
            return await JobFollower.FollowAsync(ctx, job, ctx.Arg("ID"), timeout: null).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.Options.Cancel.IsCancellationRequested)
        {
            return ExitCodes.Ok; // Ctrl-C: the job goes on; only the following stops
        }
    }

    private static async Task<int> ListAsync(CommandContext ctx)
    {
        var jobs = await ctx.Api.GetAsync("jobs").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(jobs);
            return ExitCodes.Ok;
        }
        var table = new Table("ID", "COMMAND", "TARGET", "STATUS", "PRINCIPAL", "CREATED", "MESSAGE");
        foreach (var j in jobs.Items())
        {
            table.Add(j.Str("id"), j.Str("command"), j.Str("target"), j.Str("status"), j.Str("principal"),
                j.Str("createdAt"), j.Str("message"));
        }
        if (table.Count == 0)
        {
            ctx.Out.WriteLine("No jobs.");
            return ExitCodes.Ok;
        }
        table.Write(ctx.Out);
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(CommandContext ctx)
    {
        var j = await ctx.Api.GetAsync($"jobs/{ApiClient.Segment(ctx.Arg("ID"))}").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(j);
            return ExitCodes.Ok;
        }
        var details = new Details()
            .Add("ID", j.Str("id"))
            .Add("Command", j.Str("command"))
            .Add("Target", j.Str("target"))
            .Add("Principal", j.Str("principal"))
            .Add("Status", j.Str("status"))
            .Add("Message", j.Str("message"));
        if (j.Prop("progress") is { ValueKind: JsonValueKind.Object } p)
        {
            details.Add("Progress", ProgressDisplay.Render(p.Long("done") ?? 0, p.Long("total") ?? 0, p.Str("unit") ?? "", p.Str("message")));
        }
        details
            .Add("Created", j.Str("createdAt"))
            .Add("Finished", j.Str("finishedAt"))
            .Write(ctx.Out);
        return ExitCodes.Ok;
    }
}
