using Akka.Actor;
using Akka.Dispatch.MessageQueues;
using Akka.Persistence;
using Cluster.Host.Mailboxes;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>
/// The mailbox of the node's stashing actors: first in, first out; a message put back in front comes next (the
/// last put back first, as Akka's deque mailbox has it); every message of many senders arrives once; what is left
/// at the end goes to dead letters. And the node's configuration gives it to a persistent actor.
/// </summary>
public sealed class CompactDequeMailboxTests
{
    private static Envelope Message(object m) => new(m, ActorRefs.NoSender);

    private static List<object> Drain(IMessageQueue queue)
    {
        var messages = new List<object>();
        while (queue.TryDequeue(out var e)) messages.Add(e.Message);
        return messages;
    }

    [Fact]
    public void Messages_come_in_order_and_those_put_back_in_front_first()
    {
        var queue = new CompactDequeMessageQueue();
        Assert.False(queue.HasMessages);
        foreach (var m in new[] { "a", "b", "c" }) queue.Enqueue(ActorRefs.Nobody, Message(m));
        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal("a", first.Message);
        // Unstashing puts messages back last to first, so that they come out in their first order.
        queue.EnqueueFirst(Message("stashed-2"));
        queue.EnqueueFirst(Message("stashed-1"));
        queue.Enqueue(ActorRefs.Nobody, Message("d"));
        Assert.Equal(5, queue.Count);
        Assert.Equal(["stashed-1", "stashed-2", "b", "c", "d"], Drain(queue));
        Assert.False(queue.HasMessages);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Every_message_of_many_senders_arrives_once()
    {
        var queue = new CompactDequeMessageQueue();
        const int senders = 4, each = 20_000;
        var received = new List<int>();
        var sending = Enumerable.Range(0, senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < each; i++) queue.Enqueue(ActorRefs.Nobody, Message(s * each + i));
        })).ToArray();
        var all = Task.WhenAll(sending);
        while (!all.IsCompleted || queue.HasMessages)
            if (queue.TryDequeue(out var e)) received.Add((int)e.Message);
        await all;
        Assert.Equal(Enumerable.Range(0, senders * each), received.Order());
        // Each sender's messages in the order it sent them.
        foreach (var s in Enumerable.Range(0, senders))
            Assert.Equal(Enumerable.Range(s * each, each), received.Where(m => m / each == s));
    }

    [Fact]
    public void What_is_left_goes_to_dead_letters()
    {
        var queue = new CompactDequeMessageQueue();
        var deadLetters = new CompactDequeMessageQueue();
        queue.Enqueue(ActorRefs.Nobody, Message("x"));
        queue.EnqueueFirst(Message("y"));
        queue.CleanUp(ActorRefs.Nobody, deadLetters);
        Assert.False(queue.HasMessages);
        Assert.Equal(["y", "x"], Drain(deadLetters));
    }

    private sealed class Stashing : ReceivePersistentActor
    {
        public override string PersistenceId => "mailbox-probe";

        public Stashing() => Command<string>(_ => Sender.Tell("ok"));
    }

    [Fact]
    public Task The_node_gives_it_to_its_persistent_actors() => LocalJournal.OnSqliteAsync(async args =>
    {
        var system = LocalJournal.Start(args);
        try
        {
            var actor = system.ActorOf(Props.Create(() => new Stashing()));
            Assert.Equal("ok", await actor.Ask<string>("ping", TimeSpan.FromSeconds(20)));
            var cell = (ActorCell)((ActorRefWithCell)actor).Underlying;
            Assert.IsType<CompactDequeMessageQueue>(cell.Mailbox?.MessageQueue);
        }
        finally
        {
            await system.Terminate();
        }
    });
}
