using System.Globalization;
using System.Text.RegularExpressions;

namespace Cluster.Host.Audit;

/// <summary>
/// Times in audit filters: absolute ISO-8601 (a date, or a date and time; UTC unless it names an offset) or
/// relative to now, a whole number and a unit: <c>45s</c>, <c>30m</c>, <c>2h</c>, <c>7d</c>, <c>2w</c>.
/// </summary>
public static partial class AuditTime
{
    public const string Forms = "an ISO-8601 time (2026-11-25T02:00:00Z, 2026-11-25) or a time ago like 30m, 2h, 7d";

    public static DateTimeOffset? Parse(string text, DateTimeOffset now)
    {
        if (Span(text) is { } span) return span < now - DateTimeOffset.UnixEpoch ? now - span : null;
        return Absolute().IsMatch(text)
               && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
               && at >= DateTimeOffset.UnixEpoch
            ? at.ToUniversalTime()
            : null;
    }

    /// <summary>A span as a whole number and a unit (45s, 30m, 2h, 7d, 2w); null for anything else.</summary>
    public static TimeSpan? Span(string text)
    {
        var relative = Relative().Match(text);
        if (!relative.Success
            || !int.TryParse(relative.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return null;
        return relative.Groups["unit"].Value switch
        {
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            _ => TimeSpan.FromDays(7.0 * n),
        };
    }

    [GeneratedRegex(@"^(?<n>[0-9]{1,9})(?<unit>[smhdw])$")]
    private static partial Regex Relative();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$")]
    private static partial Regex Absolute();
}
