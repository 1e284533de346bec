using System.Globalization;
using Cluster.Host.Audit;

namespace Cluster.Host.Api;

/// <summary>One page: newest first; <c>next</c> is the cursor for the page before it (pass it as ?before=), null at the end.</summary>
public sealed record AuditPage(IReadOnlyList<AuditRow> Events, string? Next)
{
    public static AuditPage Of(IReadOnlyList<AuditRow> rows, int limit) =>
        new(rows, rows.Count == limit ? rows[^1].Ordering.ToString(CultureInfo.InvariantCulture) : null);
}
