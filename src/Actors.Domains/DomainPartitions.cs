namespace Actors.Domains;

/// <summary>
/// Domains live in several shard regions (entity types domain-00 … domain-31), each domain always in the same one
/// by a stable hash of its name; each domain is still one shard of its own, placed on its server. Akka's shard
/// region scans all its shards each time it starts one, and its coordinator keeps all of them in one replicated
/// value: one region of 100,000 shards spent most of a node's CPU in that scan, one region at a time. Operators see
/// one type, "domain" (the API and vmc merge the partitions).
/// </summary>
public static class DomainPartitions
{
    public const string TypeName = "domain";
    public const int Count = 32;

    public static readonly IReadOnlyList<string> TypeNames = Enumerable.Range(0, Count).Select(TypeNameOf).ToList();

    private static readonly HashSet<string> Partitions = [.. TypeNames];

    public static string TypeNameFor(string domain) => TypeNameOf((int)(StableHash.Of(domain) % Count));

    /// <summary>The type an operator sees: "domain" for every partition, any other type as it is.</summary>
    public static string OperatorType(string typeName) => IsPartition(typeName) ? TypeName : typeName;

    public static bool IsPartition(string typeName) => Partitions.Contains(typeName);

    private static string TypeNameOf(int partition) => $"{TypeName}-{partition:D2}";
}
