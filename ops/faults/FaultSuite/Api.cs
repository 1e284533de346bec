using System.Net.Http.Json;
using System.Text.Json;

namespace FaultSuite;

public sealed record DomainInfo(string Name, string State, string Desired, string? Server, int? Pid, bool Ha, string? LastError);

public sealed record Reply(int Status, JsonElement? Json, string Text)
{
    public bool Ok => Status is >= 200 and < 300;
    public override string ToString() => Status == 0 ? $"no answer ({Text})" : $"{Status} {Trim(Text)}";
    private static string Trim(string s) => s.Length > 300 ? s[..300] + "…" : s;
}

/// <summary>The nodes' HTTP API, as vmc uses it (a 2xx is an acknowledgement: the event is in the journal).</summary>
public sealed class Api
{
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The bearer token of every request: node1's admin token (the first start of the cluster writes it there).</summary>
    public static string Token { get; set; } = "";

    public static async Task<Reply> SendAsync(int port, HttpMethod method, string path, object? body, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var req = new HttpRequestMessage(method, $"http://127.0.0.1:{port}{path}");
        req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        if (body is not null) req.Content = JsonContent.Create(body);
        try
        {
            using var resp = await Http.SendAsync(req, cts.Token);
            var text = await resp.Content.ReadAsStringAsync(cts.Token);
            JsonElement? json = null;
            try { using var doc = JsonDocument.Parse(text); json = doc.RootElement.Clone(); } catch (JsonException) { }
            return new Reply((int)resp.StatusCode, json, text);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Reply(0, null, $"no answer within {timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            return new Reply(0, null, e.Message);
        }
    }

    public static DomainInfo ParseDomain(JsonElement d) => new(
        Str(d, "name") ?? "?", Str(d, "state") ?? "?", Str(d, "desiredState") ?? "?", Str(d, "server"),
        d.TryGetProperty("pid", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : null,
        d.TryGetProperty("ha", out var h) && h.ValueKind == JsonValueKind.True, Str(d, "lastError"));

    public static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static async Task<(Reply Reply, DomainInfo? Domain)> GetDomainAsync(int port, string name, TimeSpan timeout, CancellationToken ct)
    {
        var r = await SendAsync(port, HttpMethod.Get, $"/domains/{Uri.EscapeDataString(name)}", null, timeout, ct);
        return (r, r.Ok && r.Json is { } j ? ParseDomain(j) : null);
    }

    public static async Task<(Reply Reply, List<DomainInfo>? Domains)> ListDomainsAsync(int port, TimeSpan timeout, CancellationToken ct)
    {
        var r = await SendAsync(port, HttpMethod.Get, "/domains", null, timeout, ct);
        if (!r.Ok || r.Json is not { ValueKind: JsonValueKind.Array } arr) return (r, null);
        return (r, [.. arr.EnumerateArray().Select(ParseDomain)]);
    }

    /// <summary>(members Up, members total, unreachable count) as this node sees them; null if it does not answer.</summary>
    public static async Task<(int Up, int Total, int Unreachable, string Text)?> MembersAsync(int port, CancellationToken ct)
    {
        var r = await SendAsync(port, HttpMethod.Get, "/cluster/members", null, TimeSpan.FromSeconds(5), ct);
        if (!r.Ok || r.Json is not { } j || !j.TryGetProperty("members", out var members)) return null;
        int up = 0, total = 0;
        var parts = new List<string>();
        foreach (var m in members.EnumerateArray())
        {
            total++;
            var status = Str(m, "status");
            if (status == "Up" && Str(m, "reachability") != "Unreachable") up++;
            parts.Add($"{Str(m, "node")?.Split('@').Last()} {status} {Str(m, "reachability")}");
        }
        var unreachable = j.TryGetProperty("unreachable", out var u) && u.ValueKind == JsonValueKind.Array ? u.GetArrayLength() : 0;
        return (up, total, unreachable, string.Join("; ", parts));
    }
}
