using System.Globalization;
using Actors.Domains;

namespace Cluster.Host.Audit;

/// <summary>A filter the API refuses: one sentence naming the parameter and what is wrong with it.</summary>
public sealed record AuditFilterError(string Message, string Field);

/// <summary>
/// Reads the audit filters of a request (<c>?domain=&amp;server=&amp;pool=&amp;principal=&amp;type=&amp;since=&amp;until=&amp;limit=&amp;before=&amp;after=</c>)
/// into an <see cref="AuditQuery"/>; anything unknown or malformed is an error that names the parameter.
/// </summary>
public static class AuditFilter
{
    private static readonly string[] Known = ["domain", "server", "pool", "principal", "type", "since", "until", "limit", "before", "after"];

    public static (AuditQuery? Query, AuditFilterError? Error) Parse(IEnumerable<KeyValuePair<string, string?>> parameters, DateTimeOffset now)
    {
        var query = new AuditQuery();
        foreach (var (key, raw) in parameters)
        {
            var value = raw ?? "";
            if (!Known.Contains(key))
                return Fail($"unknown filter '{DomainSpecValidation.Printable(key)}'; known filters: {string.Join(", ", Known)}", key);
            if (value.Length == 0) return Fail($"filter {key} is empty", key);
            var error = key switch
            {
                "domain" or "server" or "pool" => Name(key, value, v => query = key switch
                {
                    "domain" => query with { Domain = v },
                    "server" => query with { Server = v },
                    _ => query with { Pool = v },
                }),
                "principal" => value.Length <= 64 && value.All(c => c is > ' ' and <= '~')
                    ? Set(() => query = query with { Principal = value })
                    : $"principal '{DomainSpecValidation.Printable(value)}' is not a principal (1 to 64 printable ASCII characters without spaces)",
                "type" => EventType(value) is { } type
                    ? Set(() => query = query with { Type = type })
                    : $"type '{DomainSpecValidation.Printable(value)}' is not an event type; one of: {string.Join(", ", AuditFacts.KnownTypes.Order())}",
                "since" or "until" => AuditTime.Parse(value, now) is { } at
                    ? Set(() => query = key == "since" ? query with { Since = at } : query with { Until = at })
                    : $"{key} '{DomainSpecValidation.Printable(value)}' is not a time: use {AuditTime.Forms}",
                "limit" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= AuditQuery.MaxLimit
                    ? Set(() => query = query with { Limit = limit })
                    : $"limit must be a whole number from 1 to {AuditQuery.MaxLimit}; got '{DomainSpecValidation.Printable(value)}'",
                _ => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor)
                    ? Set(() => query = key == "before" ? query with { Before = cursor } : query with { After = cursor })
                    : $"{key} must be a cursor from an earlier answer (a whole number); got '{DomainSpecValidation.Printable(value)}'",
            };
            if (error is not null) return Fail(error, key);
        }
        if (query is { Since: { } s, Until: { } u } && s >= u)
            return Fail($"since ({s:yyyy-MM-ddTHH:mm:ssZ}) is not before until ({u:yyyy-MM-ddTHH:mm:ssZ})", "since");
        if (query is { Before: not null, After: not null })
            return Fail("before and after cannot be combined: page back with before, follow with after", "before");
        return (query, null);
    }

    /// <summary>A known type, by its full name (domain.migrated) or the part after the dot (migrated) when that is unique.</summary>
    public static string? EventType(string text)
    {
        if (AuditFacts.KnownTypes.Contains(text)) return text;
        var matches = AuditFacts.KnownTypes.Where(t => t.EndsWith("." + text, StringComparison.Ordinal)).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    private static string? Name(string key, string value, Action<string> set)
    {
        if (DomainSpecValidation.CheckName(value) is not null)
            return $"{key} '{DomainSpecValidation.Printable(value)}' is not a valid {key} name (ASCII letters, digits, '.', '_', '-'; at most 63)";
        set(value);
        return null;
    }

    private static string? Set(Action set)
    {
        set();
        return null;
    }

    private static (AuditQuery?, AuditFilterError?) Fail(string message, string field) => (null, new AuditFilterError(message, field));
}
