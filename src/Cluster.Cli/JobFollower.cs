using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Cluster.Cli;

/// <summary>Reports a job the node accepted and, with --wait, follows it until it ends.</summary>
internal static class JobFollower
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>
    /// Handles the answer of a job-starting request (<c>{"job": Job, ...}</c>): prints the job, waits if asked.
    /// Exit 0 when accepted (or succeeded when waited for), 1 when the job failed or the wait timed out.
    /// </summary>
    public static async Task<int> HandleAsync(CommandContext ctx, JsonElement answer, string fallbackName)
    {
        var job = answer.Prop("job") ?? answer;
        var id = job.Str("id") ?? throw new ApiException("the node accepted the request but sent no job id");
        var what = $"{job.Str("command") ?? ctx.Command.Name} {job.Str("target") ?? fallbackName}";

        var waitSeconds = ctx.Invocation.Int(GlobalSwitches.WaitTimeout.Name, 1, ctx.Palette.Name);
        var wait = ctx.Invocation.Has(GlobalSwitches.Wait.Name) || waitSeconds is not null;

        if (!ctx.Json)
        {
            ctx.Out.WriteLine($"job {id}: {what} accepted");
        }
        if (!wait)
        {
            if (ctx.Json)
            {
                ctx.WriteJson(job);
            }
            return ExitCodes.Ok;
        }

        var timeout = TimeSpan.FromSeconds(waitSeconds ?? GlobalSwitches.DefaultWaitSeconds);
        var clock = Stopwatch.StartNew();
        while (job.Str("status") is not (Succeeded or Failed))
        {
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                if (ctx.Json)
                {
                    ctx.WriteJson(job);
                }
                throw new ApiException(
                    $"job {id} ({what}) is still {job.Str("status") ?? Running} after {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; see 'vmc job show {id}'");
            }
            await Task.Delay(left < ctx.Options.PollInterval ? left : ctx.Options.PollInterval).ConfigureAwait(false);
            var said = job.Str("message");
            job = await ctx.Api.GetAsync($"jobs/{ApiClient.Segment(id)}").ConfigureAwait(false);
            // A long job tells how far it has got (an evacuation: "1 of 3 moved").
            if (!ctx.Json && job.Str("status") == Running && job.Str("message") is { } progress && progress != said)
            {
                ctx.Out.WriteLine($"job {id}: {progress}");
            }
        }

        var status = job.Str("status");
        if (ctx.Json)
        {
            ctx.WriteJson(job);
        }
        else
        {
            var outcome = status == Succeeded ? "succeeded" : "failed";
            var message = job.Str("message");
            ctx.Out.WriteLine(message is null ? $"job {id}: {what} {outcome}" : $"job {id}: {what} {outcome}: {message}");
        }
        return status == Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
