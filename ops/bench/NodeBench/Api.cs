using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace NodeBench;

/// <summary>The node's HTTP API, as vmc uses it: requests with the admin token, a bounded number in flight.</summary>
public sealed class Api(string baseAddress, string token)
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
    {
        BaseAddress = new Uri(baseAddress),
        Timeout = TimeSpan.FromMinutes(2),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    public static string Name(int i) => "d" + i.ToString("D6");

    public static string CreateBody(int i, bool ha) => $$"""{"name":"{{Name(i)}}","vcpus":1,"memoryMiB":16,"ha":{{(ha ? "true" : "false")}}}""";

    /// <summary>POSTs to each path in order with at most <paramref name="inFlight"/> unanswered; throws on the first refusal.</summary>
    public async Task ForEachAsync(int count, int inFlight, Func<int, (string Path, string? Body)> request)
    {
        using var gate = new SemaphoreSlim(inFlight);
        var tasks = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            await gate.WaitAsync();
            var (path, body) = request(i);
            tasks.Add(Task.Run(async () =>
            {
                try { await PostAsync(path, body); }
                finally { gate.Release(); }
            }));
        }
        await Task.WhenAll(tasks);
    }

    /// <summary>One POST; returns how long it took to be answered. A refusal is an exception naming it.</summary>
    public async Task<TimeSpan> PostAsync(string path, string? body)
    {
        var clock = Stopwatch.StartNew();
        using var content = new StringContent(body ?? "", Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(path, content);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return clock.Elapsed;
    }
}
