using System.Globalization;
using System.Text.Json;
using Cluster.Host.Audit;

namespace Cluster.Host.Api;

/// <summary>
/// GET /audit/stream: server-sent events, one <c>audit</c> event per new row that matches the filters, until the
/// client goes away. It follows the table (shared by every node), so it works on any node whatever runs the
/// projection; it starts after ?after=CURSOR, or after the newest row.
/// </summary>
public static class AuditStream
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static async Task RunAsync(HttpContext http, AuditReader reader, AuditQuery query)
    {
        var ct = http.RequestAborted;
        var after = query.After ?? await reader.LastOrderingAsync(ct);
        await ServerSentEvents.StartAsync(http.Response, "following the audit table", ct);
        var quietSince = DateTime.UtcNow;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var rows = await reader.ListAsync(query with { After = after, Before = null, Limit = AuditQuery.MaxLimit }, ct);
                foreach (var row in rows)
                {
                    var data = JsonSerializer.Serialize(row, ApiResults.Json);
                    await ServerSentEvents.WriteAsync(http.Response, "audit", data, row.Ordering.ToString(CultureInfo.InvariantCulture), ct);
                    after = row.Ordering;
                }
                if (rows.Count > 0 || DateTime.UtcNow - quietSince > ServerSentEvents.KeepAlive)
                {
                    if (rows.Count == 0) await ServerSentEvents.KeepAliveAsync(http.Response, ct);
                    await http.Response.Body.FlushAsync(ct);
                    quietSince = DateTime.UtcNow;
                }
                if (rows.Count < AuditQuery.MaxLimit) await Task.Delay(PollInterval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client went away: the stream simply ends
        }
    }
}
