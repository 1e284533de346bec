using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vmm.Native.Qemu;

/// <summary>An asynchronous QMP event: <c>{"event":NAME,"data":{...},"timestamp":{...}}</c>.</summary>
public sealed record QmpEvent(string Name, JsonElement Data, DateTimeOffset Timestamp);

/// <summary>
/// A QMP client on a Unix socket: line-delimited JSON, replies matched to requests by id, events raised to
/// subscribers (on the reader's thread: keep handlers short). QEMU serves one client per socket at a time.
/// </summary>
public sealed class QmpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly string _path;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, (string Command, TaskCompletionSource<JsonElement> Reply)> _pending = new();
    private readonly TaskCompletionSource<JsonElement> _greeting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<QmpEvent>? _onEvent;
    private long _nextId;
    private Task _readLoop = Task.CompletedTask;
    private volatile string? _closeReason;

    /// <summary>Longest a command may wait for its reply unless the caller's token says otherwise.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Completes (never faults) when the connection has closed: QEMU exited, or we disposed.</summary>
    public Task Completion => _readLoop;

    public bool IsConnected => _closeReason is null;

    private QmpClient(Socket socket, string path, Action<QmpEvent>? onEvent)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _path = path;
        _onEvent = onEvent;
    }

    /// <summary>Tries once to connect (no retry): throws SocketException when nobody listens yet.</summary>
    public static async Task<QmpClient> ConnectAsync(string socketPath, Action<QmpEvent>? onEvent, TimeSpan handshakeTimeout, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var client = new QmpClient(socket, socketPath, onEvent);
        try
        {
            client._readLoop = Task.Run(client.ReadLoopAsync, CancellationToken.None);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(handshakeTimeout);
            try
            {
                await client._greeting.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new VmmException($"QMP socket {socketPath} accepted the connection but sent no greeting within {handshakeTimeout.TotalSeconds:0.#} s (is another client connected?)");
            }
            await client.ExecuteAsync("qmp_capabilities", null, ct).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs one command; returns its "return" value, throws <see cref="VmmException"/> on a QMP error.</summary>
    public async Task<JsonElement> ExecuteAsync(string command, JsonObject? arguments, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = (command, reply);
        try
        {
            if (_closeReason is { } closed)
                throw new VmmException($"QMP {command} on {_path} failed: connection closed ({closed})");
            var request = new JsonObject { ["execute"] = command, ["id"] = id };
            if (arguments is not null) request["arguments"] = arguments;
            var bytes = Encoding.UTF8.GetBytes(request.ToJsonString() + "\n");

            await _writeLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                throw new VmmException($"QMP {command} on {_path} failed: cannot write ({e.Message})", e);
            }
            finally
            {
                _writeLock.Release();
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(CommandTimeout);
            try
            {
                return await reply.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new VmmException($"QMP {command} on {_path} got no reply within {CommandTimeout.TotalSeconds:0.#} s");
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadLoopAsync()
    {
        var reason = "end of stream";
        try
        {
            using var reader = new StreamReader(_stream, new UTF8Encoding(false), false, 4096, leaveOpen: true);
            while (true)
            {
                var line = await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false);
                if (line is null) break;
                if (line.Length == 0) continue;
                Dispatch(line);
            }
        }
        catch (OperationCanceledException) { reason = "disposed"; }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { reason = e.Message; }
        finally
        {
            _closeReason = reason;
            var error = new VmmException($"QMP connection {_path} closed ({reason})");
            _greeting.TrySetException(error);
            foreach (var (_, p) in _pending)
                p.Reply.TrySetException(new VmmException($"QMP {p.Command} on {_path} failed: connection closed ({reason})"));
        }
    }

    private void Dispatch(string line)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line); }
        catch (JsonException) { return; } // QEMU only sends JSON; ignore anything else
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return;
            if (root.TryGetProperty("QMP", out var greeting))
            {
                _greeting.TrySetResult(greeting.Clone());
                return;
            }
            if (root.TryGetProperty("event", out var ev))
            {
                var data = root.TryGetProperty("data", out var d) ? d.Clone() : default;
                var ts = DateTimeOffset.UtcNow;
                if (root.TryGetProperty("timestamp", out var t)
                    && t.TryGetProperty("seconds", out var s) && t.TryGetProperty("microseconds", out var us))
                    ts = DateTimeOffset.FromUnixTimeSeconds(s.GetInt64()).AddTicks(us.GetInt64() * 10);
                try { _onEvent?.Invoke(new QmpEvent(ev.GetString() ?? "", data, ts)); }
                catch (Exception) { /* a subscriber's bug must not stop the reader */ }
                return;
            }
            if (!root.TryGetProperty("id", out var idEl) || idEl.ValueKind != JsonValueKind.Number
                || !_pending.TryGetValue(idEl.GetInt64(), out var pending))
                return;
            if (root.TryGetProperty("return", out var ret))
                pending.Reply.TrySetResult(ret.Clone());
            else if (root.TryGetProperty("error", out var err))
            {
                var cls = err.TryGetProperty("class", out var c) ? c.GetString() : "Error";
                var desc = err.TryGetProperty("desc", out var de) ? de.GetString() : line;
                pending.Reply.TrySetException(new VmmException($"QMP {pending.Command} failed: {cls}: {desc}"));
            }
        }
    }

    /// <summary>Closes the connection (QEMU keeps running and accepts the next client).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) _stop.Cancel();
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        await _stream.DisposeAsync().ConfigureAwait(false);
        try { await _readLoop.ConfigureAwait(false); } catch (Exception) { /* the loop records its reason */ }
        _stop.Dispose();
    }
}
