using Akka.Actor;
using Actors.Domains;

namespace Cluster.Host;

/// <summary>This node's way to every domain: each message goes to its domain's partition region (DomainPartitions).</summary>
public sealed class DomainRouter : ReceiveActor
{
    public DomainRouter(IReadOnlyDictionary<string, IActorRef> regions) =>
        Receive<IDomainMessage>(m => regions[DomainPartitions.TypeNameFor(m.Name)].Forward(m));

    public static Props Props(IReadOnlyDictionary<string, IActorRef> regions) => Akka.Actor.Props.Create(() => new DomainRouter(regions));
}
