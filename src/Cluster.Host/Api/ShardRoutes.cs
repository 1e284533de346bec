using Akka.Actor;
using Akka.Cluster.Sharding;
using Actors.Domains;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>
/// /cluster/shards: the entity types with a shard region, and per type the shards and entity counts of every
/// node's region (ClusterSharding's GetClusterShardingStats), as JVM Akka Management's /cluster/shards/{name} does
/// for one region.
/// </summary>
public static class ShardRoutes
{
    /// <summary>How long each region has to answer; one that does not is listed under "failed".</summary>
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(5);

    public sealed record ShardInfo(string ShardId, int NumEntities);

    public sealed record RegionInfo(string Node, IReadOnlyList<ShardInfo> Shards, IReadOnlyList<string> Failed);

    public sealed record ShardStats(string Type, string? Coordinator, IReadOnlyList<RegionInfo> Regions);

    public static void Map(WebApplication app)
    {
        app.MapGet("/cluster/shards", (ActorSystem system) => ApiResults.Ok(new { types = OperatorTypes(system) })).Allow(Role.Viewer);
        app.MapGet("/cluster/shards/{type}", async (string type, ActorSystem system) =>
        {
            var known = OperatorTypes(system);
            if (!known.Contains(type))
                return ApiResults.Error(404,
                    $"no shard region of type '{Actors.Domains.DomainSpecValidation.Printable(type)}'; known: {string.Join(", ", known)}", "type");
            var sharding = ClusterSharding.Get(system);
            var parts = type == DomainPartitions.TypeName ? DomainPartitions.TypeNames : [type];
            var stats = await Task.WhenAll(parts.Select(t => sharding.ShardRegion(t)
                .Ask<ClusterShardingStats>(new GetClusterShardingStats(StatsTimeout), StatsTimeout + TimeSpan.FromSeconds(2))));
            // The domain partitions' regions of one node are one region to the operator.
            var regions = stats.SelectMany(s => s.Regions)
                .GroupBy(r => r.Key.ToString(), StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new RegionInfo(g.Key,
                    [.. g.SelectMany(r => r.Value.Stats).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new ShardInfo(s.Key, s.Value))],
                    [.. g.SelectMany(r => r.Value.Failed).Order(StringComparer.Ordinal)]))
                .ToList();
            return ApiResults.Ok(new ShardStats(type, CoordinatorNode(system)?.ToString(), regions));
        }).Allow(Role.Viewer);
    }

    private static List<string> OperatorTypes(ActorSystem system) =>
        [.. ClusterSharding.Get(system).ShardTypeNames.Select(DomainPartitions.OperatorType).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>
    /// The coordinator is a cluster singleton, so it runs on the oldest Up member with the sharding role ("server");
    /// sharding does not report where it is, so this applies the singleton's rule (wrong only during a hand-over).
    /// </summary>
    private static Address? CoordinatorNode(ActorSystem system) =>
        Akka.Cluster.Cluster.Get(system).State.Members
            .Where(m => m.Status == Akka.Cluster.MemberStatus.Up && m.HasRole("server"))
            .OrderBy(m => m, Akka.Cluster.Member.AgeOrdering)
            .FirstOrDefault()?.Address;
}
