using Cluster.Host.Audit;

namespace Cluster.Host.Tests;

/// <summary>The audit filters of the API: relative and absolute times, event types, and clear refusals.</summary>
public sealed class AuditFilterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static (AuditQuery? Query, AuditFilterError? Error) Parse(params (string Key, string Value)[] pairs) =>
        AuditFilter.Parse(pairs.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value)), Now);

    [Theory]
    [InlineData("30m", 0, 30)]
    [InlineData("2h", 2, 0)]
    [InlineData("7d", 168, 0)]
    public void Relative_times_count_back_from_now(string text, int hours, int minutes) =>
        Assert.Equal(Now - new TimeSpan(hours, minutes, 0), AuditTime.Parse(text, Now));

    [Theory]
    [InlineData("2026-11-25T02:00:00Z", "2026-11-25T02:00:00Z")]
    [InlineData("2026-11-25", "2026-11-25T00:00:00Z")]
    [InlineData("2026-11-25T03:00+01:00", "2026-11-25T02:00:00Z")]
    public void Absolute_times_are_iso_8601_and_utc_unless_they_say(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected), AuditTime.Parse(text, Now));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2h30m")]
    [InlineData("1/2/2026")]
    [InlineData("-2h")]
    public void Other_times_are_refused(string text) => Assert.Null(AuditTime.Parse(text, Now));

    [Fact]
    public void Filters_combine_into_one_query()
    {
        var (query, error) = Parse(("domain", "web1"), ("principal", "alice"), ("type", "migrated"), ("since", "1d"), ("limit", "5"));
        Assert.Null(error);
        Assert.Equal(new AuditQuery(Domain: "web1", Principal: "alice", Type: "domain.migrated", Since: Now.AddDays(-1), Limit: 5), query);
    }

    [Theory]
    [InlineData("since", "3x", "since '3x' is not a time")]
    [InlineData("type", "bogus", "type 'bogus' is not an event type")]
    [InlineData("domain", "web 1", "domain 'web 1' is not a valid domain name")]
    [InlineData("limit", "0", "limit must be a whole number from 1 to 1000")]
    [InlineData("before", "abc", "before must be a cursor")]
    [InlineData("colour", "red", "unknown filter 'colour'")]
    public void A_bad_filter_is_one_sentence_naming_it(string key, string value, string start)
    {
        var (query, error) = Parse((key, value));
        Assert.Null(query);
        Assert.StartsWith(start, error!.Message);
        Assert.Equal(key, error.Field);
    }

    [Fact]
    public void Since_must_be_before_until()
    {
        var (_, error) = Parse(("since", "1h"), ("until", "2h"));
        Assert.Equal("since", error!.Field);
    }
}
