using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Cluster.Host.Mailboxes;

/// <summary>
/// The mailbox of the actors that stash (every domain actor and its shard; see akka.hocon's mailbox requirements):
/// a queue that takes memory only for the messages it holds. Akka's own keeps a ConcurrentQueue per actor whose
/// first segment alone is ~1 KB (32 slots): two such actors per domain were 158 MB of a node's 730 MB heap at
/// 100,000 domains (dotnet-gcdump of ops/bench/node.sh).
/// </summary>
public sealed class CompactDequeMailbox(Settings settings, Config config)
    : MailboxType(settings, config), IProducesMessageQueue<CompactDequeMessageQueue>
{
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CompactDequeMessageQueue();
}

/// <summary>
/// A lock around a <see cref="Queue{T}"/> (no array until the first message; four slots after it, for most actors
/// for good), and the messages put back in front (unstashed: by the owning actor only) in a stack, as Akka's deque
/// mailbox keeps them.
/// </summary>
public sealed class CompactDequeMessageQueue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
{
    private readonly Queue<Envelope> _queue = new();
    private Stack<Envelope>? _prepended;
    private volatile int _count;

    public bool HasMessages => _count > 0;

    public int Count => _count;

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (_queue)
        {
            _queue.Enqueue(envelope);
            _count = _count + 1;
        }
    }

    public void EnqueueFirst(Envelope envelope)
    {
        lock (_queue)
        {
            (_prepended ??= new Stack<Envelope>()).Push(envelope);
            _count = _count + 1;
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        lock (_queue)
        {
            if (_prepended is { Count: > 0 }) envelope = _prepended.Pop();
            else if (!_queue.TryDequeue(out envelope)) return false;
            _count = _count - 1;
            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
    }
}
