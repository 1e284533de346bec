using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cluster.Cli.Output;

namespace Cluster.Cli;

/// <summary>Reports a job the node accepted and, with --wait (or job follow), follows it until it ends.</summary>
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

        var waitSeconds = ctx.Invocation.Int(GlobalSwitches.WaitTimeout.Name, 1, ctx.Palette.Name);
        var wait = ctx.Invocation.Has(GlobalSwitches.Wait.Name) || waitSeconds is not null;

        if (!ctx.Json)
        {
            ctx.Out.WriteLine($"job {id}: {What(ctx, job, fallbackName)} accepted");
        }
        if (!wait)
        {
            if (ctx.Json)
            {
                ctx.WriteJson(job);
            }
            return ExitCodes.Ok;
        }
        return await FollowAsync(ctx, job, fallbackName, TimeSpan.FromSeconds(waitSeconds ?? GlobalSwitches.DefaultWaitSeconds)).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks for the job until it ends, showing its progress if it reports any (not with --json), then prints its
    /// outcome: exit 0 when it succeeded, 1 when it failed or is still running after <paramref name="timeout"/>
    /// (null: no limit, until Ctrl-C).
    /// </summary>
    public static async Task<int> FollowAsync(CommandContext ctx, JsonElement job, string fallbackName, TimeSpan? timeout)
    {
        var id = job.Str("id") ?? throw new ApiException("the node sent a job without an id");
        var what = What(ctx, job, fallbackName);
        var progress = new ProgressDisplay(ctx.Out, ctx.Options.Terminal);
        var clock = Stopwatch.StartNew();
        while (job.Str("status") is not (Succeeded or Failed))
        {
            if (!ctx.Json && job.Prop("progress") is { ValueKind: JsonValueKind.Object } now)
            {
                progress.Show(now);
            }
            var left = timeout is { } limit ? limit - clock.Elapsed : ctx.Options.PollInterval;
            if (left <= TimeSpan.Zero)
            {
                progress.End();
                if (ctx.Json)
                {
                    ctx.WriteJson(job);
                }
                throw new ApiException(
                    $"job {id} ({what}) is still {job.Str("status") ?? Running} after {timeout!.Value.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; see 'vmc job show {id}'");
            }
            await Task.Delay(left < ctx.Options.PollInterval ? left : ctx.Options.PollInterval, ctx.Options.Cancel).ConfigureAwait(false);
            job = await ctx.Api.GetAsync($"jobs/{ApiClient.Segment(id)}", ctx.Options.Cancel).ConfigureAwait(false);
        }

        var status = job.Str("status");
        if (ctx.Json)
        {
            ctx.WriteJson(job);
        }
        else
        {
            if (job.Prop("progress") is { ValueKind: JsonValueKind.Object } last)
            {
                progress.Show(last);
            }
            progress.End();
            var message = job.Str("message");
            ctx.Out.WriteLine(message is null ? $"job {id}: {what} {status}" : $"job {id}: {what} {status}: {message}");
        }
        return status == Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static string What(CommandContext ctx, JsonElement job, string fallbackName) =>
        $"{job.Str("command") ?? ctx.Command.Name} {job.Str("target") ?? fallbackName}";
}
