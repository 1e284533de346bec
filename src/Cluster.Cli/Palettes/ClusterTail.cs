using System.Text.Json;

namespace Cluster.Cli.Palettes;

/// <summary>
/// cluster tail: the node's membership, reachability and leader events (GET /cluster/events, server-sent events),
/// the current members first, one line each until Ctrl-C or the node ends the stream.
/// </summary>
internal static class ClusterTail
{
    public static CommandSpec Spec { get; } = new("tail",
        "stream membership and reachability events (member up/leaving/removed, unreachable, leader changed) until Ctrl-C",
        [], [], TailAsync);

    private static async Task<int> TailAsync(CommandContext ctx)
    {
        try
        {
            await ctx.Api.StreamAsync("cluster/events", e =>
            {
                ctx.Out.WriteLine(ctx.Json ? e.GetRawText() : Line(e));
                ctx.Out.Flush();
            }, ctx.Options.Cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.Options.Cancel.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        throw new ApiException($"the node at {ctx.Api.Address} ended the cluster event stream");
    }

    /// <summary><c>TIME | EVENT | ADDRESS | [roles] | status</c>, as cluster show prints a member; a leader change: <c>TIME | leader-changed | ADDRESS</c>.</summary>
    internal static string Line(JsonElement e)
    {
        var time = AuditPalette.Time(e.Str("time")) ?? "-";
        var name = e.Str("event") ?? "?";
        var node = e.Str("node") ?? "(none)";
        if (name == "leader-changed") return $"{time} | {name} | {node}";
        var roles = string.Join(", ", e.Items("roles").Select(Json.AsText));
        return $"{time} | {name} | {node} | [{roles}] | {(e.Str("status") ?? "unknown").ToLowerInvariant()}";
    }
}
