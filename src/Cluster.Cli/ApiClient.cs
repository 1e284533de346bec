using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cluster.Cli;

/// <summary>Talks to one node's HTTP API; turns failures into <see cref="ApiException"/> and <see cref="UnreachableException"/>.</summary>
internal sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;

    /// <param name="token">Sent as the bearer token; the node records its name as the principal of what the request does.</param>
    public ApiClient(string address, VmcOptions options, string? token)
    {
        Address = address;
        _timeout = options.HttpTimeout;
        _http = options.Handler is { } handler ? new HttpClient(handler, disposeHandler: false) : new HttpClient();
        _http.BaseAddress = new Uri($"http://{address}/");
        _http.Timeout = options.HttpTimeout;
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public string Address { get; }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonElement> PostAsync(string path, JsonNode? body = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, path, body, ct);

    public Task<JsonElement> PutAsync(string path, JsonNode? body = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, path, body, ct);

    public Task<JsonElement> PatchAsync(string path, JsonNode? body = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, path, body, ct);

    public Task<JsonElement> DeleteAsync(string path, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, path, null, ct);

    public static string Segment(string value) => Uri.EscapeDataString(value);

    /// <summary>
    /// Follows a server-sent event stream: calls <paramref name="onEvent"/> with the data of each event, in order,
    /// until the node ends the stream (returns) or <paramref name="ct"/> is cancelled (throws OperationCanceledException).
    /// </summary>
    public async Task StreamAsync(string path, Action<JsonElement> onEvent, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Accept.ParseAdd("text/event-stream");
        // ResponseHeadersRead: the client's timeout bounds the wait for the headers, not the open-ended stream.
        var response = await ReachAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                throw new ApiException(ErrorSentence(response.StatusCode, text), (int)response.StatusCode);
            }
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
            var data = new StringBuilder();
            try
            {
                while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
                {
                    if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        data.Append(line.AsSpan(5).TrimStart(' '));
                    }
                    else if (line.Length == 0 && data.Length > 0)
                    {
                        using var doc = JsonDocument.Parse(data.ToString());
                        onEvent(doc.RootElement.Clone());
                        data.Clear();
                    }
                }
            }
            catch (IOException) when (!ct.IsCancellationRequested)
            {
                throw new UnreachableException(Address, "the stream was cut");
            }
        }
    }

    /// <summary>Sends; a node that cannot be reached or does not answer in time is an <see cref="UnreachableException"/>.</summary>
    private async Task<HttpResponseMessage> ReachAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new UnreachableException(Address, Reason(ex));
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new UnreachableException(Address, $"no answer within {_timeout.TotalSeconds:0} s");
        }
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        // ResponseContentRead: the body is read within the timeout too, so reading it below cannot fail on the network.
        var response = await ReachAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiException(ErrorSentence(response.StatusCode, text), (int)response.StatusCode);
            }
            if (string.IsNullOrWhiteSpace(text))
            {
                return default;
            }
            try
            {
                using var doc = JsonDocument.Parse(text);
                return doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new ApiException($"the node at {Address} answered {method} /{path.TrimStart('/')} with something that is not JSON");
            }
        }
    }

    private static string ErrorSentence(HttpStatusCode status, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.Str("error") is { Length: > 0 } sentence)
            {
                return sentence;
            }
        }
        catch (JsonException)
        {
            // not the contract's error shape; fall through to the status line
        }
        return $"the node answered HTTP {(int)status} {ReasonPhrase(status)}";
    }

    private static string ReasonPhrase(HttpStatusCode status) => status switch
    {
        HttpStatusCode.NotFound => "Not Found",
        HttpStatusCode.BadRequest => "Bad Request",
        HttpStatusCode.Conflict => "Conflict",
        HttpStatusCode.Unauthorized => "Unauthorized",
        HttpStatusCode.Forbidden => "Forbidden",
        HttpStatusCode.InternalServerError => "Internal Server Error",
        HttpStatusCode.ServiceUnavailable => "Service Unavailable",
        _ => status.ToString(),
    };

    private static string Reason(HttpRequestException ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException se)
            {
                return se.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "unknown host",
                    SocketError.TimedOut => "connection timed out",
                    SocketError.NetworkUnreachable or SocketError.HostUnreachable => "no route to host",
                    SocketError.ConnectionReset => "connection reset",
                    _ => se.SocketErrorCode.ToString().ToLowerInvariant(),
                };
            }
        }
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "unknown host",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.ResponseEnded => "connection closed",
            HttpRequestError.InvalidResponse => "not an HTTP answer",
            _ => "request failed",
        };
    }

    public void Dispose() => _http.Dispose();
}
