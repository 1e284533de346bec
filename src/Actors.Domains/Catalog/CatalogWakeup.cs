using Akka.Actor;
using Akka.Event;

namespace Actors.Domains.Catalog;

/// <summary>
/// At node start, wakes every entity the catalog knows so that each recovers and reconciles (a domain meant
/// to run is re-adopted or started) without waiting for a request. Retries until the catalog answers.
/// </summary>
public sealed class CatalogWakeup : ReceiveActor, IWithTimers
{
    private sealed record Attempt;

    public CatalogWakeup(IActorRef catalog, IActorRef region, Func<string, object> wake)
    {
        var log = Context.GetLogger();
        Receive<Attempt>(_ => catalog.Ask<CatalogMessages.Entries>(new CatalogMessages.List(), TimeSpan.FromSeconds(5))
            .PipeTo(Self, Self, e => e, ex => new Status.Failure(ex)));
        Receive<CatalogMessages.Entries>(e =>
        {
            foreach (var name in e.Names) region.Tell(wake(name));
            log.Info("woke {0} entities from the catalog", e.Names.Count);
            Context.Stop(Self);
        });
        Receive<Status.Failure>(_ => Timers.StartSingleTimer("retry", new Attempt(), TimeSpan.FromSeconds(1)));
        Self.Tell(new Attempt());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef catalog, IActorRef region, Func<string, object> wake) =>
        Akka.Actor.Props.Create(() => new CatalogWakeup(catalog, region, wake));
}
