using Akka.Actor;
using Actors.Domains;
using Actors.Domains.Serialization;
using static Actors.Domains.DomainEvents;

namespace JournalBench;

/// <summary>A serialized event as the journal stores it: manifest and bytes.</summary>
public sealed record Payload(string Manifest, byte[] Bytes);

/// <summary>
/// The events one domain's start/stop cycle writes, serialized by the real event serializer, so the raw insert
/// loop writes rows of the same sizes as the domain actors do.
/// </summary>
public static class Payloads
{
    public static IReadOnlyList<Payload> Cycle(ExtendedActorSystem system)
    {
        var serializer = new DomainEventSerializer(system);
        var meta = new EventMeta("bench", DateTimeOffset.UtcNow, "job-0000000001", "bench");
        IDomainEvent[] events =
        [
            new StartRequested("domain-00001", meta),
            new Started("domain-00001", "bench", 10_000_001, meta),
            new StopRequested("domain-00001", 30, meta),
            new Stopped("domain-00001", "guest-shutdown", meta),
        ];
        return [.. events.Select(e => new Payload(serializer.Manifest(e), serializer.ToBinary(e)))];
    }
}
