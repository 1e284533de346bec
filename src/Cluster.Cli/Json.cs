using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Cluster.Cli;

/// <summary>Small readers over the API's JSON; missing and null read as null.</summary>
internal static class Json
{
    private static readonly JsonWriterOptions PrettyOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Pretty(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, PrettyOptions))
        {
            element.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static JsonElement? Prop(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v
            : null;

    /// <summary>The property as text (strings as-is, numbers and booleans as written), or null.</summary>
    public static string? Str(this JsonElement e, string name) => e.Prop(name) is { } v ? AsText(v) : null;

    public static long? Long(this JsonElement e, string name) =>
        e.Prop(name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out var n) ? n : null;

    public static double? Double(this JsonElement e, string name) =>
        e.Prop(name) is { ValueKind: JsonValueKind.Number } v && v.TryGetDouble(out var n) ? n : null;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string name) =>
        e.Prop(name) is { ValueKind: JsonValueKind.Array } v ? v.EnumerateArray() : [];

    public static IEnumerable<JsonElement> Items(this JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : [];

    public static string AsText(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() ?? "",
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => v.GetRawText(),
    };

    public static string Invariant(long n) => n.ToString(CultureInfo.InvariantCulture);
}
