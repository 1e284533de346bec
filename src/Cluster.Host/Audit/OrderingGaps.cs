namespace Cluster.Host.Audit;

/// <summary>
/// Decides how far the projection may move along the journal's orderings without skipping an event.
/// On PostgreSQL an event's ordering is taken from a sequence when it is inserted but becomes visible only when
/// its transaction commits, so under concurrent writers a later ordering can be visible before an earlier one:
/// a hole in what we read is either a write still in flight (it will fill) or a write that rolled back or a
/// deleted row (it never will). Like the plugin's own read journal (JournalSequenceActor: query-delay x
/// max-tries), the projection stops at the first hole and waits up to <c>gap-timeout</c> for it to fill before
/// moving past it. SQLite has a single writer and AUTOINCREMENT rolls back with its transaction, so holes there
/// come only from deleted rows.
/// </summary>
public sealed class OrderingGaps(TimeSpan timeout)
{
    /// <summary>The first hole seen after the offset: its orderings and when it was first seen.</summary>
    private (long First, long Last, DateTime Since)? _hole;

    /// <summary>Orderings moved past as lost holes (for the log): first and last of the latest one.</summary>
    public (long First, long Last)? Skipped { get; private set; }

    /// <summary>
    /// How many of <paramref name="orderings"/> (ascending, all greater than <paramref name="offset"/>) may be
    /// projected now: the prefix that follows the offset without a hole, and past a hole once it is older than
    /// the timeout.
    /// </summary>
    public int Ready(long offset, IReadOnlyList<long> orderings, DateTime now)
    {
        Skipped = null;
        var expected = offset + 1;
        for (var i = 0; i < orderings.Count; i++)
        {
            var ordering = orderings[i];
            if (ordering == expected)
            {
                expected++;
                continue;
            }
            // A hole [expected, ordering - 1]. Part of a hole seen before keeps its age: it was missing all along.
            var since = _hole is { } h && expected >= h.First && expected <= h.Last ? h.Since : now;
            if (now - since < timeout)
            {
                _hole = (expected, ordering - 1, since);
                return i;
            }
            Skipped = (expected, ordering - 1);
            _hole = null;
            expected = ordering + 1;
        }
        return orderings.Count;
    }
}
