using System.Text.Json;
using Akka.Actor;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>
/// GET /cluster/events: server-sent events, one <c>cluster</c> event per membership, reachability or leader change
/// this node sees (the current members first), until the client goes away or the node stops (what `vmc cluster
/// tail` reads).
/// </summary>
public static class ClusterEventStream
{
    public static void Map(WebApplication app) =>
        app.MapGet("/cluster/events", (HttpContext http, ActorSystem system) => RunAsync(http, system)).Allow(Role.Viewer);

    private static async Task RunAsync(HttpContext http, ActorSystem system)
    {
        var ct = http.RequestAborted;
        using var feed = new ClusterEventFeed(system);
        await ServerSentEvents.StartAsync(http.Response, "following the cluster's membership", ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
                quiet.CancelAfter(ServerSentEvents.KeepAlive);
                bool more;
                try { more = await feed.Events.WaitToReadAsync(quiet.Token); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await ServerSentEvents.KeepAliveAsync(http.Response, ct);
                    await http.Response.Body.FlushAsync(ct);
                    continue;
                }
                if (!more) return;
                while (feed.Events.TryRead(out var e))
                    await ServerSentEvents.WriteAsync(http.Response, "cluster", JsonSerializer.Serialize(e, ApiResults.Json), null, ct);
                await http.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client went away: the stream simply ends
        }
    }
}
