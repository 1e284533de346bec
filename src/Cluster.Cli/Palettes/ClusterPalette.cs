using System.Text.Json;

namespace Cluster.Cli.Palettes;

/// <summary>cluster show|status|leader, over GET /cluster/members (shaped like Akka Management's).</summary>
internal static class ClusterPalette
{
    public static PaletteSpec Spec { get; } = new("cluster", "members of the cluster",
    [
        new("show", "list every member: address | [roles] | status | reachability | version", [], [], ShowAsync),
        new("status", "the member line of the node vmc is connected to", [], [], StatusAsync),
        new("leader", "the address of the cluster leader", [], [], LeaderAsync),
    ]);

    private static async Task<int> ShowAsync(CommandContext ctx)
    {
        var members = await ctx.Api.GetAsync("cluster/members").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(members);
            return ExitCodes.Ok;
        }
        var unreachable = Unreachable(members);
        var count = 0;
        foreach (var member in members.Items("members"))
        {
            ctx.Out.WriteLine(Line(member, unreachable));
            count++;
        }
        ctx.Out.WriteLine($"Count: {count} nodes");
        return ExitCodes.Ok;
    }

    private static async Task<int> StatusAsync(CommandContext ctx)
    {
        var members = await ctx.Api.GetAsync("cluster/members").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(members);
            return ExitCodes.Ok;
        }
        var self = members.Str("selfNode") ?? throw new ApiException("the node did not say which member it is (no selfNode)");
        foreach (var member in members.Items("members"))
        {
            if (member.Str("node") == self)
            {
                ctx.Out.WriteLine(Line(member, Unreachable(members)));
                return ExitCodes.Ok;
            }
        }
        throw new ApiException($"{self} is not a member of the cluster yet");
    }

    private static async Task<int> LeaderAsync(CommandContext ctx)
    {
        var members = await ctx.Api.GetAsync("cluster/members").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(members);
            return ExitCodes.Ok;
        }
        var leader = members.Str("leader") ?? throw new ApiException("the cluster has no leader");
        ctx.Out.WriteLine(leader);
        return ExitCodes.Ok;
    }

    /// <summary>pbm's member line: <c>address | [roles] | status | reachability | version</c>.</summary>
    internal static string Line(JsonElement member, IReadOnlySet<string> unreachable)
    {
        var node = member.Str("node") ?? "?";
        var roles = string.Join(", ", member.Items("roles").Select(Json.AsText));
        var status = (member.Str("status") ?? "unknown").ToLowerInvariant();
        var reachability = (member.Str("reachability") ?? (unreachable.Contains(node) ? "Unreachable" : "Reachable"))
            .ToLowerInvariant();
        if (unreachable.Contains(node))
        {
            reachability = "unreachable";
        }
        var version = member.Str("appVersion") ?? "-";
        return $"{node} | [{roles}] | {status} | {reachability} | {version}";
    }

    private static HashSet<string> Unreachable(JsonElement members) =>
        members.Items("unreachable")
            .Select(u => u.ValueKind == JsonValueKind.Object ? u.Str("node") : Json.AsText(u))
            .Where(n => n is not null).Select(n => n!)
            .ToHashSet(StringComparer.Ordinal);
}
