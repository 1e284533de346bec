using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cluster.Host.Api;

/// <summary>The API's JSON conventions and its one error shape: {"error": sentence, "field": name or null}.</summary>
public static class ApiResults
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public sealed record ErrorBody(string Error, string? Field);

    public static IResult Error(int status, string message, string? field = null) =>
        Results.Json(new ErrorBody(message, field), Json, statusCode: status);

    public static IResult Ok(object body, int status = 200) => Results.Json(body, Json, statusCode: status);

    /// <summary>Reads a JSON body; a malformed one becomes a 400 that names where it broke.</summary>
    public static async Task<(T? Value, IResult? Error)> ReadBodyAsync<T>(HttpRequest request) where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Json);
            return value is null ? (null, Error(400, "request body is empty or null; a JSON object is expected")) : (value, null);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : null;
            var what = ex.Message.Split(" Path:")[0].Split(". LineNumber")[0];
            return (null, Error(400, $"request body is not valid: {what}", field));
        }
    }
}
