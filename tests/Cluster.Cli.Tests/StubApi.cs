using System.Net;
using System.Text;

namespace Cluster.Cli.Tests;

/// <summary>A fake node API: routes "METHOD /path" (query ignored) to canned answers and records every request.</summary>
internal sealed class StubApi : HttpMessageHandler
{
    private readonly Dictionary<string, Func<HttpRequestMessage, (HttpStatusCode Status, string Body)>> _routes =
        new(StringComparer.Ordinal);

    public List<RecordedRequest> Requests { get; } = [];

    public StubApi On(string method, string path, HttpStatusCode status, string body)
    {
        _routes[$"{method} {path}"] = _ => (status, body);
        return this;
    }

    public StubApi On(string method, string path, Func<HttpRequestMessage, (HttpStatusCode, string)> answer)
    {
        _routes[$"{method} {path}"] = answer;
        return this;
    }

    /// <summary>Answers successive requests with the bodies in turn; the last one repeats.</summary>
    public StubApi OnSequence(string method, string path, params string[] bodies)
    {
        var i = 0;
        _routes[$"{method} {path}"] = _ => (HttpStatusCode.OK, bodies[Math.Min(i++, bodies.Length - 1)]);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add(new RecordedRequest(request.Method.Method, request.RequestUri!, body,
            request.Headers.Authorization?.ToString()));
        var key = $"{request.Method.Method} {request.RequestUri!.AbsolutePath}";
        var (status, text) = _routes.TryGetValue(key, out var answer)
            ? answer(request)
            : (HttpStatusCode.NotFound, """{"error": "no such route in the stub", "field": null}""");
        return new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
    }
}

internal sealed record RecordedRequest(string Method, Uri Uri, string? Body, string? Authorization);

/// <summary>Runs vmc against a stub and captures what it prints.</summary>
internal static class Vmc
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(
        StubApi? api, string[] args, string? input = null, Func<string, string?>? env = null, string cwd = "/home/op")
    {
        var options = new VmcOptions
        {
            Handler = api,
            Input = input is null ? null : new StringReader(input),
            GetEnvironment = env ?? (_ => null),
            CurrentDirectory = cwd,
            PollInterval = TimeSpan.FromMilliseconds(5),
            HttpTimeout = TimeSpan.FromSeconds(5),
        };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await new VmcApp(options).RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
