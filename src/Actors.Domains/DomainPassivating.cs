namespace Actors.Domains;

/// <summary>
/// Published on the node's event stream when an idle domain asks its shard to stop it (the node gives the memory of
/// many such domains back at once: Cluster.Host's MemoryTrim).
/// </summary>
public sealed class DomainPassivating
{
    public static readonly DomainPassivating Instance = new();

    private DomainPassivating() { }
}
