using Akka.Actor;
using Actors.Domains.Catalog;

namespace ScaleBench;

/// <summary>
/// Stands in for the domain catalog: every domain that exists tells it when its recovery completed, so the bench
/// counts recovered domains without asking the database.
/// </summary>
public sealed class Recoveries : ReceiveActor
{
    private static int _count;

    public Recoveries() => Receive<CatalogMessages.Add>(_ => Interlocked.Increment(ref _count));

    public static int Count => Volatile.Read(ref _count);

    /// <summary>Counts from zero again (one count per actor system).</summary>
    public static Props Props()
    {
        Interlocked.Exchange(ref _count, 0);
        return Akka.Actor.Props.Create(() => new Recoveries());
    }
}
