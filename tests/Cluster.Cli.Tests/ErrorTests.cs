using System.Net;
using System.Net.Sockets;

namespace Cluster.Cli.Tests;

public class ErrorTests
{
    [Fact]
    public async Task A_refused_transition_exits_1_with_the_api_sentence()
    {
        var api = new StubApi().On("POST", "/domains/web1/start", HttpStatusCode.Conflict,
            """{"error": "domain web1 is already running", "field": null}""");

        var (code, stdout, stderr) = await Vmc.RunAsync(api, ["domain", "start", "web1"]);

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("error: domain web1 is already running\n", stderr);
    }

    [Fact]
    public async Task An_unknown_domain_exits_1()
    {
        var api = new StubApi().On("GET", "/domains/nope", HttpStatusCode.NotFound,
            """{"error": "no domain named nope", "field": "name"}""");

        var (code, _, stderr) = await Vmc.RunAsync(api, ["domain", "show", "nope"]);

        Assert.Equal(1, code);
        Assert.Equal("error: no domain named nope\n", stderr);
    }

    [Fact]
    public async Task An_error_without_the_contract_shape_names_the_status()
    {
        var api = new StubApi().On("GET", "/servers", HttpStatusCode.InternalServerError, "<html>oops</html>");

        var (code, _, stderr) = await Vmc.RunAsync(api, ["server", "list"]);

        Assert.Equal(1, code);
        Assert.Equal("error: the node answered HTTP 500 Internal Server Error\n", stderr);
    }

    [Fact]
    public async Task A_closed_port_exits_3_naming_the_address()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now

        var (code, stdout, stderr) = await Vmc.RunAsync(null, [$"127.0.0.1:{port}", "cluster", "show"]);

        Assert.Equal(3, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"error: cannot reach 127.0.0.1:{port}", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_real_http_server_gets_the_request_and_the_token_from_VMC_TOKEN()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpListener();
        http.Prefixes.Add($"http://127.0.0.1:{port}/");
        http.Start();
        string? authorization = null;
        var serve = Task.Run(async () =>
        {
            var ctx = await http.GetContextAsync();
            authorization = ctx.Request.Headers["Authorization"];
            var body = System.Text.Encoding.UTF8.GetBytes("""{"selfNode":"a","leader":"akka.tcp://vmc@127.0.0.1:4053","members":[]}""");
            ctx.Response.ContentType = "application/json";
            await ctx.Response.OutputStream.WriteAsync(body);
            ctx.Response.Close();
        });

        var (code, stdout, _) = await Vmc.RunAsync(null, [$"127.0.0.1:{port}", "cluster", "leader"],
            env: v => v == "VMC_TOKEN" ? "vmc_alice" : null);
        await serve;

        Assert.Equal(0, code);
        Assert.Equal("akka.tcp://vmc@127.0.0.1:4053\n", stdout);
        Assert.Equal("Bearer vmc_alice", authorization);
    }
}
