using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cluster.Host.Audit;

/// <summary>
/// A string that holds JSON text, written as that JSON value rather than as a quoted string: the audit table keeps
/// each event's JSON as the journal stored it, and the API hands it on without parsing it again.
/// </summary>
public sealed class RawJson : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var value = JsonDocument.ParseValue(ref reader);
        return value.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteRawValue(value);
}
