using System.Globalization;
using System.Text.Json;
using Cluster.Host.Audit;

namespace Cluster.Host.Api;

/// <summary>An audit row as the API shows it: the facts, a readable summary, and the event itself.</summary>
public sealed record AuditEventView(
    long Ordering,
    DateTimeOffset At,
    string Type,
    string? Domain,
    string? Server,
    string? Pool,
    string Principal,
    string? JobId,
    string? Node,
    string PersistenceId,
    long SequenceNr,
    string Summary,
    JsonElement Event)
{
    public static AuditEventView Of(AuditRow r)
    {
        using var payload = JsonDocument.Parse(r.Payload);
        return new AuditEventView(r.Ordering, r.At, r.Type, r.Domain, r.Server, r.Pool, r.Principal, r.JobId, r.Node,
            r.PersistenceId, r.SequenceNr, r.Summary, payload.RootElement.Clone());
    }
}

/// <summary>One page: newest first; <c>next</c> is the cursor for the page before it (pass it as ?before=), null at the end.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEventView> Events, string? Next)
{
    public static AuditPage Of(IReadOnlyList<AuditRow> rows, int limit) =>
        new([.. rows.Select(AuditEventView.Of)],
            rows.Count == limit ? rows[^1].Ordering.ToString(CultureInfo.InvariantCulture) : null);
}
