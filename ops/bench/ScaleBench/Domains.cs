using Akka.Actor;
using Actors.Domains;
using static Actors.Domains.DomainCommands;

namespace ScaleBench;

/// <summary>Domain actors created directly (no sharding), and commands to them with a bounded number in flight.</summary>
public sealed class Domains(ActorSystem system, DomainRuntime runtime, int count)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(60);
    private readonly IActorRef[] _refs = new IActorRef[count];

    public static string Name(int i) => "d" + i.ToString("D6");

    public int Count => count;

    /// <summary>Starts every domain actor (they recover), as the catalog wakes every domain at node start.</summary>
    public void Spawn()
    {
        for (var i = 0; i < count; i++)
        {
            _refs[i] = system.ActorOf(DomainActor.Props(Name(i), runtime), Name(i));
            _refs[i].Tell(new Wake(Name(i)));
        }
    }

    /// <summary>Sends one command to each domain in [0, n), at most <paramref name="inFlight"/> unanswered; returns the rejections.</summary>
    public async Task<int> ForEachAsync(int n, int inFlight, Func<string, RequestContext, IDomainCommand> command)
    {
        using var gate = new SemaphoreSlim(inFlight);
        var rejected = 0;
        var tasks = new List<Task>(n);
        for (var i = 0; i < n; i++)
        {
            await gate.WaitAsync();
            var name = Name(i);
            tasks.Add(AskAsync(i, command(name, Request(name))).ContinueWith(t =>
            {
                if (t.IsFaulted || t.Result is DomainReplies.Rejected) Interlocked.Increment(ref rejected);
                gate.Release();
            }, TaskScheduler.Default));
        }
        await Task.WhenAll(tasks);
        return rejected;
    }

    public Task<DomainReplies.IDomainReply> AskAsync(int i, IDomainMessage message) =>
        _refs[i].Ask<DomainReplies.IDomainReply>(message, AskTimeout);

    public static RequestContext Request(string name) => new("scale-" + name, "bench", null);
}
