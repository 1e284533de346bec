using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cluster.Cli.Palettes;

/// <summary>
/// cluster show|status|leader|join|leave|down|down-unreachable, over GET /cluster/members and
/// GET|PUT|DELETE /cluster/members/{address} (shaped like Akka Management's); cluster tail is <see cref="ClusterTail"/>.
/// </summary>
internal static class ClusterPalette
{
    private const string AddressHelp = "a member's address: akka.tcp://vmc@HOST:PORT (akka.ssl.tcp:// with TLS), or HOST:PORT";
    private static readonly SwitchSpec Address = new("-a", "ADDRESS", AddressHelp, Required: true);
    private static readonly SwitchSpec LeaveAddress = new("-a", "ADDRESS", AddressHelp + " (default: the node vmc is connected to)");

    public static PaletteSpec Spec { get; } = new("cluster", "members of the cluster",
    [
        new("show", "list every member: address | [roles] | status | reachability | version", [], [], ShowAsync),
        new("status", "the member line of the node vmc is connected to", [], [], StatusAsync),
        new("leader", "the address of the cluster leader", [], [], LeaderAsync),
        new("join", "make the node vmc is connected to join the cluster of ADDRESS (admin)", [], [Address], ctx => OperateAsync(ctx, "Join")),
        new("leave", "make a member leave the cluster gracefully (admin)", [], [LeaveAddress], LeaveAsync),
        new("down", "mark a member down: it is removed and its shards and singletons move (admin)", [], [Address], ctx => OperateAsync(ctx, "Down")),
        new("down-unreachable", "mark every unreachable member down (admin)", [], [], DownUnreachableAsync),
        ClusterTail.Spec,
    ]);

    private static async Task<int> OperateAsync(CommandContext ctx, string operation) =>
        Report(ctx, await ctx.Api.PutAsync(MemberPath(CheckedAddress(ctx, ctx.Invocation.Value(Address.Name)!)),
            new JsonObject { ["operation"] = operation }).ConfigureAwait(false));

    private static async Task<int> LeaveAsync(CommandContext ctx)
    {
        var address = ctx.Invocation.Value(LeaveAddress.Name) is { } given ? CheckedAddress(ctx, given) : null;
        if (address is null)
        {
            var members = await ctx.Api.GetAsync("cluster/members").ConfigureAwait(false);
            address = members.Str("selfNode") ?? throw new ApiException("the node did not say which member it is (no selfNode)");
        }
        var reply = await ctx.Api.DeleteAsync(MemberPath(address)).ConfigureAwait(false);
        return Report(ctx, reply);
    }

    private static async Task<int> DownUnreachableAsync(CommandContext ctx)
    {
        var unreachable = Unreachable(await ctx.Api.GetAsync("cluster/members").ConfigureAwait(false));
        if (unreachable.Count == 0 && !ctx.Json)
        {
            ctx.Out.WriteLine("No unreachable members.");
            return ExitCodes.Ok;
        }
        var replies = new JsonArray();
        foreach (var address in unreachable.Order(StringComparer.Ordinal))
        {
            var reply = await ctx.Api.PutAsync(MemberPath(address), new JsonObject { ["operation"] = "Down" }).ConfigureAwait(false);
            if (ctx.Json)
            {
                replies.Add(JsonNode.Parse(reply.GetRawText()));
            }
            else
            {
                ctx.Out.WriteLine(reply.Str("message"));
            }
        }
        if (ctx.Json)
        {
            ctx.WriteJson(JsonSerializer.SerializeToElement(replies));
        }
        return ExitCodes.Ok;
    }

    private static int Report(CommandContext ctx, JsonElement reply)
    {
        if (ctx.Json)
        {
            ctx.WriteJson(reply);
        }
        else
        {
            ctx.Out.WriteLine(reply.Str("message"));
        }
        return ExitCodes.Ok;
    }

    /// <summary>A usage error unless the address is akka[.ssl].tcp://SYSTEM@HOST:PORT or HOST:PORT (checked here, so a typo never reaches the node).</summary>
    private static string CheckedAddress(CommandContext ctx, string address)
    {
        var scheme = Array.Find(["akka.tcp://", "akka.ssl.tcp://"], s => address.StartsWith(s, StringComparison.Ordinal));
        var hostPort = scheme is not null && address.IndexOf('@', StringComparison.Ordinal) is var at and > 0 && at > scheme.Length
            ? address[(at + 1)..]
            : address;
        return CommandLine.IsAddress(hostPort)
            ? address
            : throw ctx.Usage($"-a '{address}' is not a member address; expected akka.tcp://vmc@HOST:PORT or HOST:PORT");
    }

    private static string MemberPath(string address) => $"cluster/members/{ApiClient.Segment(address)}";

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
