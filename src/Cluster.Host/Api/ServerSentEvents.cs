namespace Cluster.Host.Api;

/// <summary>The text/event-stream framing shared by the API's tails (audit, cluster events).</summary>
public static class ServerSentEvents
{
    /// <summary>A comment line this often keeps proxies and idle-timeouts from closing a quiet stream.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>Sends the headers and a first comment, so the client knows at once that the stream is open.</summary>
    public static async Task StartAsync(HttpResponse response, string comment, CancellationToken ct)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.WriteAsync($": {comment}\n\n", ct);
        await response.Body.FlushAsync(ct);
    }

    /// <summary>Writes one event (not flushed: the caller flushes once per batch).</summary>
    public static Task WriteAsync(HttpResponse response, string type, string json, string? id, CancellationToken ct) =>
        response.WriteAsync($"{(id is null ? "" : $"id: {id}\n")}event: {type}\ndata: {json}\n\n", ct);

    public static Task KeepAliveAsync(HttpResponse response, CancellationToken ct) => response.WriteAsync(": keep-alive\n\n", ct);
}
