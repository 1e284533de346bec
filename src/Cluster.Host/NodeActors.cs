namespace Cluster.Host;

// Keys of the node's actors in Akka.Hosting's ActorRegistry.
public sealed class DomainRegion;
public sealed class ServerRegion;
public sealed class DomainCatalog;
public sealed class ServerCatalog;
public sealed class PoolRegion;
public sealed class PoolCatalog;
public sealed class JobBookKey;
public sealed class FailoverManagerKey;
public sealed class AuditProjectorKey;
public sealed class BalancingManagerKey;
