using System.Text.Json;
using Cluster.Cli.Output;

namespace Cluster.Cli.Palettes;

/// <summary>cluster-sharding regions|region-stats|shard-stats, over GET /cluster/shards[/{type}].</summary>
internal static class ClusterShardingPalette
{
    private static readonly SwitchSpec Region = new("-r", "TYPE", "the shard region's entity type (see 'cluster-sharding regions')", Required: true);

    public static PaletteSpec Spec { get; } = new("cluster-sharding", "shard regions and where their entities live",
    [
        new("regions", "list the entity types that have a shard region", [], [], RegionsAsync),
        new("region-stats", "a line per node: its shards and entities of TYPE; (coordinator) marks the coordinator's node", [], [Region], RegionStatsAsync),
        new("shard-stats", "a line per shard of TYPE: its node and entities", [], [Region], ShardStatsAsync),
    ]);

    private static async Task<int> RegionsAsync(CommandContext ctx)
    {
        var regions = await ctx.Api.GetAsync("cluster/shards").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(regions);
            return ExitCodes.Ok;
        }
        foreach (var type in regions.Items("types"))
        {
            ctx.Out.WriteLine(Json.AsText(type));
        }
        return ExitCodes.Ok;
    }

    private static async Task<int> RegionStatsAsync(CommandContext ctx)
    {
        var stats = await StatsAsync(ctx).ConfigureAwait(false);
        if (stats is not { } s)
        {
            return ExitCodes.Ok;
        }
        var coordinator = s.Str("coordinator");
        var table = new Table("NODE", "SHARDS", "ENTITIES");
        long shards = 0, entities = 0;
        foreach (var region in s.Items("regions"))
        {
            var node = region.Str("node");
            var (n, e) = (region.Items("shards").Count(), region.Items("shards").Sum(x => x.Long("numEntities") ?? 0));
            (shards, entities) = (shards + n, entities + e);
            table.Add(node == coordinator ? $"{node} (coordinator)" : node, Json.Invariant(n), Json.Invariant(e));
        }
        table.Write(ctx.Out);
        ctx.Out.WriteLine($"Total: {shards} shards, {entities} entities on {table.Count} nodes");
        return ExitCodes.Ok;
    }

    private static async Task<int> ShardStatsAsync(CommandContext ctx)
    {
        var stats = await StatsAsync(ctx).ConfigureAwait(false);
        if (stats is not { } s)
        {
            return ExitCodes.Ok;
        }
        var table = new Table("SHARD", "NODE", "ENTITIES");
        foreach (var (region, shard) in s.Items("regions")
            .SelectMany(r => r.Items("shards").Select(x => (r, x)))
            .OrderBy(p => p.x.Str("shardId"), StringComparer.Ordinal))
        {
            table.Add(shard.Str("shardId"), region.Str("node"), shard.Str("numEntities"));
        }
        foreach (var region in s.Items("regions"))
        {
            foreach (var failed in region.Items("failed"))
            {
                table.Add(Json.AsText(failed), region.Str("node"), "(did not answer)");
            }
        }
        table.Write(ctx.Out);
        ctx.Out.WriteLine($"Count: {table.Count} shards");
        return ExitCodes.Ok;
    }

    /// <summary>The stats of -r TYPE, or null once printed as JSON.</summary>
    private static async Task<JsonElement?> StatsAsync(CommandContext ctx)
    {
        var stats = await ctx.Api.GetAsync($"cluster/shards/{ApiClient.Segment(ctx.Invocation.Value(Region.Name)!)}").ConfigureAwait(false);
        if (!ctx.Json)
        {
            return stats;
        }
        ctx.WriteJson(stats);
        return null;
    }
}
