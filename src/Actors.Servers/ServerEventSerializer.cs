using Akka.Actor;
using Actors.Domains.Serialization;

namespace Actors.Servers;

/// <summary>Server events. Manifests are part of the journal's format: never change one, add new ones.</summary>
public sealed class ServerEventSerializer(ExtendedActorSystem system) : ManifestJsonSerializer(system, Manifests)
{
    public const int SerializerId = 1702;

    public static readonly IReadOnlyDictionary<string, Type> Manifests = new Dictionary<string, Type>
    {
        ["server.registered.v1"] = typeof(ServerEvents.Registered),
        ["server.index-entry.v1"] = typeof(ServerView),
        ["server.load.v1"] = typeof(Load.ServerLoad),
    };

    public override int Identifier => SerializerId;
}
