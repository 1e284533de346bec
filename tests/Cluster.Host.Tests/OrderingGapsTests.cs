using Cluster.Host.Audit;

namespace Cluster.Host.Tests;

/// <summary>How far the audit projection moves along journal orderings with holes (writes in flight, or lost).</summary>
public sealed class OrderingGapsTests
{
    private static readonly DateTime T0 = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Orderings_without_a_hole_are_all_ready() =>
        Assert.Equal(3, new OrderingGaps(Timeout).Ready(4, [5, 6, 7], T0));

    [Fact]
    public void The_projection_stops_at_a_hole_until_it_fills()
    {
        var gaps = new OrderingGaps(Timeout);
        Assert.Equal(1, gaps.Ready(4, [5, 7, 8], T0));
        Assert.Equal(0, gaps.Ready(5, [7, 8], T0 + TimeSpan.FromSeconds(9)));
        Assert.Equal(3, gaps.Ready(5, [6, 7, 8], T0 + TimeSpan.FromSeconds(9)));
        Assert.Null(gaps.Skipped);
    }

    [Fact]
    public void A_hole_older_than_the_timeout_is_moved_past_and_reported()
    {
        var gaps = new OrderingGaps(Timeout);
        Assert.Equal(0, gaps.Ready(4, [8, 9], T0));
        Assert.Equal(2, gaps.Ready(4, [8, 9], T0 + Timeout));
        Assert.Equal((5L, 7L), gaps.Skipped);
    }

    [Fact]
    public void A_partly_filled_hole_keeps_its_age()
    {
        var gaps = new OrderingGaps(Timeout);
        Assert.Equal(0, gaps.Ready(4, [8], T0));
        Assert.Equal(1, gaps.Ready(4, [5, 8], T0 + TimeSpan.FromSeconds(5)));
        Assert.Equal(1, gaps.Ready(5, [8], T0 + Timeout));
    }

    [Fact]
    public void A_new_hole_further_on_waits_its_own_time()
    {
        var gaps = new OrderingGaps(Timeout);
        Assert.Equal(0, gaps.Ready(4, [6], T0));
        Assert.Equal(1, gaps.Ready(4, [6, 9], T0 + Timeout)); // 5 moved past; 7..8 first seen now
        Assert.Equal(0, gaps.Ready(6, [9], T0 + Timeout + TimeSpan.FromSeconds(1)));
    }
}
