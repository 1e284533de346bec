using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using static Akka.Cluster.ClusterEvent;

namespace Cluster.Host.Api;

/// <summary>One membership, reachability or leader event as this node saw it, at the UTC time it saw it.</summary>
/// <param name="Event">member-joined, member-weakly-up, member-up, member-leaving, member-exiting, member-downed,
/// member-removed, unreachable, reachable, leader-changed.</param>
/// <param name="Node">The member's address (the new leader's for leader-changed; null when there is none).</param>
/// <param name="Status">The member's status after the event (Removed, or the leader change: null).</param>
public sealed record ClusterEventView(DateTime Time, string Event, string? Node, IReadOnlyList<string> Roles, string? Status);

/// <summary>
/// A subscription to this node's cluster events for one reader: an actor subscribed with the current state as
/// events first (every member as joined/up/..., then what changes), which writes each as a
/// <see cref="ClusterEventView"/> into <see cref="Events"/>. Disposing stops the actor and its subscription.
/// </summary>
public sealed class ClusterEventFeed : IDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _subscriber;
    private readonly Channel<ClusterEventView> _events = Channel.CreateUnbounded<ClusterEventView>(new() { SingleReader = true });

    public ClusterEventFeed(ActorSystem system)
    {
        _system = system;
        _subscriber = system.ActorOf(Props.Create(() => new Subscriber(_events.Writer)));
    }

    public ChannelReader<ClusterEventView> Events => _events.Reader;

    public void Dispose() => _system.Stop(_subscriber);

    /// <summary>The view of an Akka cluster event, or null for the events a tail does not show.</summary>
    public static ClusterEventView? View(IClusterDomainEvent e, DateTime now) => e switch
    {
        MemberJoined m => Of(now, "member-joined", m.Member),
        MemberWeaklyUp m => Of(now, "member-weakly-up", m.Member),
        MemberUp m => Of(now, "member-up", m.Member),
        MemberLeft m => Of(now, "member-leaving", m.Member),
        MemberExited m => Of(now, "member-exiting", m.Member),
        MemberDowned m => Of(now, "member-downed", m.Member),
        MemberRemoved m => Of(now, "member-removed", m.Member),
        UnreachableMember m => Of(now, "unreachable", m.Member),
        ReachableMember m => Of(now, "reachable", m.Member),
        LeaderChanged l => new ClusterEventView(now, "leader-changed", l.Leader?.ToString(), [], null),
        _ => null,
    };

    private static ClusterEventView Of(DateTime now, string name, Member member) =>
        new(now, name, member.Address.ToString(), [.. member.Roles.Order(StringComparer.Ordinal)], member.Status.ToString());

    private sealed class Subscriber : ReceiveActor
    {
        private readonly ChannelWriter<ClusterEventView> _writer;

        public Subscriber(ChannelWriter<ClusterEventView> writer)
        {
            _writer = writer;
            Receive<IClusterDomainEvent>(e =>
            {
                if (View(e, DateTime.UtcNow) is { } view) writer.TryWrite(view);
            });
        }

        protected override void PreStart() => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(IMemberEvent), typeof(IReachabilityEvent), typeof(LeaderChanged));

        /// <summary>Also when the node stops: the reader's stream then ends.</summary>
        protected override void PostStop()
        {
            Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
            _writer.TryComplete();
        }
    }
}
