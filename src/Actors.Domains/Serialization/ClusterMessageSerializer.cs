using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace Actors.Domains.Serialization;

/// <summary>
/// Transient cluster messages as JSON. The manifest names the type (these are never persisted, so a rename
/// only needs all servers upgraded together); only types marked <see cref="IClusterMessage"/> are accepted
/// from the wire, which is the allow-list. Actor references travel as their serialized paths.
/// </summary>
public sealed class ClusterMessageSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 1703;
    private readonly JsonSerializerOptions _json;

    public ClusterMessageSerializer(ExtendedActorSystem system) : base(system)
    {
        _json = new JsonSerializerOptions(ManifestJsonSerializer.Json);
        _json.Converters.Add(new ActorRefConverter(system));
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => $"{o.GetType().FullName}, {o.GetType().Assembly.GetName().Name}";

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _json);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var type = Type.GetType(manifest, throwOnError: false);
        if (type is null || !typeof(IClusterMessage).IsAssignableFrom(type))
            throw new SerializationException($"refused to deserialize {manifest}: not a cluster message type");
        return JsonSerializer.Deserialize(bytes, type, _json) ?? throw new SerializationException($"{manifest}: null payload");
    }

    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override IActorRef? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() is { } path ? system.Provider.ResolveActorRef(path) : null;

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
    }
}
