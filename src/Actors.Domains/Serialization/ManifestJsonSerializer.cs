using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using System.Runtime.Serialization;
using Akka.Serialization;

namespace Actors.Domains.Serialization;

/// <summary>
/// Stable serializer for persisted events: System.Text.Json with explicit manifests, never type names, so that
/// renaming or moving a type does not break an old journal. Subclasses list their types with a manifest each.
/// </summary>
public abstract class ManifestJsonSerializer : SerializerWithStringManifest
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private readonly Dictionary<Type, string> _manifests;
    private readonly Dictionary<string, Type> _types;

    protected ManifestJsonSerializer(ExtendedActorSystem system, IReadOnlyDictionary<string, Type> manifests) : base(system)
    {
        _types = new Dictionary<string, Type>(manifests);
        _manifests = manifests.ToDictionary(kv => kv.Value, kv => kv.Key);
    }

    public override string Manifest(object o) =>
        _manifests.TryGetValue(o.GetType(), out var m)
            ? m
            : throw new ArgumentException($"{o.GetType()} has no manifest in {GetType().Name}");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest) =>
        _types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"manifest {manifest}: null payload")
            : throw new SerializationException($"unknown manifest {manifest}: {Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 80)))}");
}
