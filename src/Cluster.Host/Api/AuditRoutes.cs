using Akka.Actor;
using Akka.Hosting;
using Cluster.Host.Audit;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>/audit: questions to the audit table, its live tail, counts, and a rebuild of the projection.</summary>
public static class AuditRoutes
{
    /// <summary>The window of /audit/stats when the request names none.</summary>
    public static readonly TimeSpan DefaultStatsWindow = TimeSpan.FromDays(1);

    public static void Map(WebApplication app)
    {
        app.MapGet("/audit", async (HttpRequest http, AuditReader reader) =>
        {
            var (query, error) = Filters(http);
            if (error is not null) return error;
            return ApiResults.Ok(AuditPage.Of(await reader.ListAsync(query!, http.HttpContext.RequestAborted), query!.Limit));
        }).Allow(Role.Viewer);
        app.MapGet("/audit/stats", async (HttpRequest http, AuditReader reader) =>
        {
            var (query, error) = Filters(http);
            if (error is not null) return error;
            if (query!.Since is null) query = query with { Since = (query.Until ?? DateTimeOffset.UtcNow) - DefaultStatsWindow };
            return ApiResults.Ok(await reader.StatsAsync(query, http.HttpContext.RequestAborted));
        }).Allow(Role.Viewer);
        app.MapGet("/audit/stream", (HttpContext http, AuditReader reader) =>
        {
            var (query, error) = Filters(http.Request);
            return error?.ExecuteAsync(http) ?? AuditStream.RunAsync(http, reader, query!);
        }).Allow(Role.Viewer);
        app.MapGet("/audit/status", async (IReadOnlyActorRegistry registry, AuditReader reader) =>
        {
            var status = await registry.Get<AuditProjectorKey>().Ask<AuditMessages.Status>(new AuditMessages.GetStatus(), NodeDirectory.AskTimeout);
            return ApiResults.Ok(new { status.Offset, status.Running, status.LastError, lastOrdering = await reader.LastOrderingAsync() });
        }).Allow(Role.Viewer);
        app.MapPost("/audit/rebuild", async (HttpRequest http, IReadOnlyActorRegistry registry) =>
        {
            var principal = Principal.Of(http);
            await registry.Get<AuditProjectorKey>().Ask<AuditMessages.Rebuilding>(new AuditMessages.Rebuild(), NodeDirectory.AskTimeout);
            app.Logger.LogInformation("audit table rebuild asked by {Principal}", principal);
            return ApiResults.Ok(new { rebuilding = true }, 202);
        }).Allow(Role.Admin);
    }

    private static (AuditQuery? Query, IResult? Error) Filters(HttpRequest http)
    {
        var (query, error) = AuditFilter.Parse(http.Query.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value.ToString())),
            DateTimeOffset.UtcNow);
        return error is null ? (query, null) : (null, ApiResults.Error(400, error.Message, error.Field));
    }
}
