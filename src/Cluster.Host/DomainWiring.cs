using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Actors.Domains;
using Actors.Domains.Catalog;
using Actors.Domains.Index;
using Actors.Domains.Leases;
using Actors.Domains.Migration;
using Actors.Servers;
using Actors.Servers.Load;
using Actors.Servers.Scheduling;
using Vmm.Native;

namespace Cluster.Host;

/// <summary>
/// The domain shard regions (DomainPartitions): one shard per domain, placed where ShardLocations says (FailoverAwareAllocation), so that
/// placement decides which server a domain (and its VMM) lives on by writing its shard's location; the domains
/// of a failed server are placed by the failover manager (see FailoverAwareAllocation).
/// </summary>
public static class DomainWiring
{
    public static void Start(ActorSystem system, IActorRegistry registry, NodeOptions options, IVmmDriver driver, DomainLayout layout,
        IDomainLeases? leases)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var runtime = new DomainRuntime(driver, options.Name, layout, registry.Get<DomainCatalog>(),
            new DomainIndex(system),
            leases,
            HasPeers: () => cluster.State.Members.Count(m => m.Status == MemberStatus.Up && m.Address != cluster.SelfAddress) > 0,
            MoveShard: (domain, address) => MoveShard(system, domain, address),
            PassivateAfter: PassivateAfter(system.Settings.Config));
        system.ActorOf(MigrationReceiver.Props(driver, layout, leases ?? UnsharedLeases.Instance, options.Hostname), MigrationReceiver.Name);
        var settings = ClusterShardingSettings.Create(system).WithRole("server");
        var sharding = ClusterSharding.Get(system);
        var locations = ShardLocations.Get(system);
        var regions = DomainPartitions.TypeNames.ToDictionary(type => type, type => sharding.StartAsync(type,
                name => DomainActor.Props(name, runtime), settings,
                new OneShardPerEntity<IDomainMessage>(),
                new FailoverAwareAllocation(system, locations, () => registry.TryGet<FailoverManagerKey>(out var manager) ? manager : null),
                DomainCommands.HandOff.Instance)
            .GetAwaiter().GetResult());
        if (MemoryTrim.Threshold(system.Settings.Config) is { } threshold) system.ActorOf(MemoryTrim.Props(threshold), MemoryTrim.Name);
        var region = system.ActorOf(DomainRouter.Props(regions), "domains");
        registry.Register<DomainRegion>(region);
    }

    /// <summary>vmc.domains.passivate-idle-after: a duration, or off (stopped domains stay in memory).</summary>
    public static TimeSpan? PassivateAfter(Akka.Configuration.Config config) =>
        OffSetting.Read(config, "vmc.domains.passivate-idle-after", TimeSpan.FromMinutes(1), (c, path, fallback) => c.GetTimeSpan(path, fallback));

    /// <summary>Moves a domain's shard to the server at <paramref name="address"/> (where it will then live).</summary>
    public static void MoveShard(ActorSystem system, string domain, string address) =>
        ShardLocations.Get(system).Place(domain, Address.Parse(address));

    /// <summary>Sends a domain a message through the region of the server at <paramref name="address"/> (allocating it there).</summary>
    public static void TellThrough(ActorSystem system, IDomainMessage message, string address) =>
        system.ActorSelection($"{address}/system/sharding/{DomainPartitions.TypeNameFor(message.Name)}").Tell(message);

    public static SchedulerPorts SchedulerPorts(ActorSystem system, IReadOnlyActorRegistry registry)
    {
        var snapshots = new SchedulingSnapshots(system);
        return new SchedulerPorts(
            snapshots.ReadAsync,
            async () => (await registry.Get<DomainCatalog>().Ask<CatalogMessages.Entries>(new CatalogMessages.List(), TimeSpan.FromSeconds(10))).Names,
            new Api.ClusterView(system).StatusOf,
            (domain, address) => MoveShard(system, domain, address),
            (message, address) => TellThrough(system, message, address));
    }
}
