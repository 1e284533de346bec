using Akka.Actor;
using Akka.Event;

namespace Actors.Domains.Catalog;

/// <summary>
/// At node start, wakes every entity the catalog knows so that each recovers and reconciles (a domain meant
/// to run is re-adopted or started) without waiting for a request. Retries until the catalog answers.
/// Entities named by <c>first</c> (domains whose VMM still runs on this server) are woken before the rest, and at
/// most <see cref="InFlight"/> wait for their answer at once: 100,000 wake-ups sent together queued every
/// operator's request behind them in the shard region, and the domains that run behind the ones that do not.
/// </summary>
public sealed class CatalogWakeup : ReceiveActor, IWithTimers
{
    public const int InFlight = 256;
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    private sealed record Attempt;
    private sealed record Answered;

    private readonly Queue<string> _pending = new();
    private int _waiting;
    private int _woken;

    /// <param name="wake">A message that the entity answers (any answer: it has recovered).</param>
    /// <param name="first">Names to wake before the others (read once the catalog answered).</param>
    public CatalogWakeup(IActorRef catalog, IActorRef region, Func<string, object> wake, Func<IReadOnlyCollection<string>> first)
    {
        var log = Context.GetLogger();
        Receive<Attempt>(_ => catalog.Ask<CatalogMessages.Entries>(new CatalogMessages.List(), TimeSpan.FromSeconds(5))
            .PipeTo(Self, Self, e => e, ex => new Status.Failure(ex)));
        Receive<CatalogMessages.Entries>(e =>
        {
            var known = e.Names.ToHashSet(StringComparer.Ordinal);
            var early = first().Where(known.Contains).ToHashSet(StringComparer.Ordinal);
            foreach (var name in early) _pending.Enqueue(name);
            foreach (var name in e.Names.Where(n => !early.Contains(n))) _pending.Enqueue(name);
            log.Info("waking {0} entities from the catalog ({1} first: their VMM runs here)", _pending.Count, early.Count);
            Send(region, wake, log);
        });
        Receive<Answered>(_ =>
        {
            _waiting--;
            _woken++;
            Send(region, wake, log);
        });
        Receive<Status.Failure>(_ => Timers.StartSingleTimer("retry", new Attempt(), TimeSpan.FromSeconds(1)));
        Self.Tell(new Attempt());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef catalog, IActorRef region, Func<string, object> wake, Func<IReadOnlyCollection<string>>? first = null) =>
        Akka.Actor.Props.Create(() => new CatalogWakeup(catalog, region, wake, first ?? (() => Array.Empty<string>())));

    private void Send(IActorRef region, Func<string, object> wake, ILoggingAdapter log)
    {
        while (_waiting < InFlight && _pending.TryDequeue(out var name))
        {
            _waiting++;
            // An entity that does not answer in time (its shard is still being placed) is awake or will be: move on.
            region.Ask<object>(wake(name), AnswerTimeout).PipeTo(Self, Self, _ => new Answered(), _ => new Answered());
        }
        if (_waiting > 0) return;
        log.Info("woke {0} entities from the catalog", _woken);
        Context.Stop(Self);
    }
}
