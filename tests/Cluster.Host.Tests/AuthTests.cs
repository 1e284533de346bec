using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>Bearer tokens and roles against a real node (simulated VMM: the API is what is tested).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AuthTests
{
    private static Task<NodeProcess> StartAsync() => NodeProcess.StartAsync("authnode", vmm: "simulated");

    private static async Task<(HttpStatusCode Status, string Error)> SendAsync(NodeProcess node, HttpMethod method, string path, string? token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, $"http://{node.Api}{path}");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (method != HttpMethod.Get) request.Content = new StringContent("""{"name":"x1","vcpus":1,"memoryMiB":64}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var error = text.StartsWith('{') && JsonDocument.Parse(text).RootElement.TryGetProperty("error", out var e) ? e.GetString() ?? "" : "";
        return (response.StatusCode, error);
    }

    [Fact]
    public async Task The_first_start_writes_an_owner_only_admin_token_that_works_and_a_restart_makes_no_second_one()
    {
        await using var node = await StartAsync();
        var file = Path.Combine(node.DataDir, "admin.token");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var token = File.ReadAllText(file).Trim();
        Assert.StartsWith("vmc_", token);
        var list = await Vmc.RunWithTokenAsync(null, node.Api, "token", "list", "--token-file", file, "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var admin = Assert.Single(list.Json.EnumerateArray());
        Assert.Equal("admin", admin.GetProperty("name").GetString());
        Assert.Equal("admin", admin.GetProperty("role").GetString());
        Assert.DoesNotContain(token, list.Out);
        Assert.DoesNotContain(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))), list.Out);

        node.KillHard();
        await node.StartAgainAsync();
        Assert.Equal(token, File.ReadAllText(file).Trim());
        Assert.Single((await Vmc.RunAsync(node.Api, "token", "list", "--json")).Json.EnumerateArray());
    }

    [Fact]
    public async Task No_token_or_a_bad_one_is_401_with_a_sentence_and_vmc_says_it()
    {
        await using var node = await StartAsync();

        var (none, noneError) = await SendAsync(node, HttpMethod.Get, "/domains", null);
        Assert.Equal(HttpStatusCode.Unauthorized, none);
        Assert.StartsWith("this API needs a token: send 'Authorization: Bearer TOKEN'", noneError);

        var (bad, badError) = await SendAsync(node, HttpMethod.Get, "/domains", "vmc_not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, bad);
        Assert.Equal("the bearer token is not valid here: unknown, revoked, or from another cluster", badError);

        var (unknownPath, _) = await SendAsync(node, HttpMethod.Get, "/nosuch", null);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownPath);

        var r = await Vmc.RunWithTokenAsync(null, node.Api, "domain", "list");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error: this API needs a token", r.Err);

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(node, HttpMethod.Get, "/openapi/v1.json", null)).Status);
        using var http = node.AdminHttp();
        var openApi = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement;
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/cluster/shards/{type}", out _));
        Assert.Equal("bearer", openApi.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Roles_limit_what_a_token_may_do_and_its_name_is_the_principal()
    {
        await using var node = await StartAsync();

        var viewer = await CreateTokenAsync(node, "viewer", "watcher");
        var @operator = await CreateTokenAsync(node, "operator", "ops1");

        Assert.Equal(0, (await Vmc.RunWithTokenAsync(viewer, node.Api, "domain", "list")).ExitCode);
        var (viewerCreate, viewerError) = await SendAsync(node, HttpMethod.Post, "/domains", viewer);
        Assert.Equal(HttpStatusCode.Forbidden, viewerCreate);
        Assert.Equal("token 'watcher' has the role viewer; POST /domains needs the role operator or higher", viewerError);

        var create = await Vmc.RunWithTokenAsync(@operator, node.Api, "domain", "create", "web1", "--vcpus", "1", "--memory", "64");
        Assert.True(create.ExitCode == 0, create.ToString());
        var job = Assert.Single((await Vmc.RunWithTokenAsync(viewer, node.Api, "job", "list", "--json")).Json.EnumerateArray());
        Assert.Equal("ops1", job.GetProperty("principal").GetString());

        var opTokens = await Vmc.RunWithTokenAsync(@operator, node.Api, "token", "list");
        Assert.Equal(1, opTokens.ExitCode);
        Assert.Equal("error: token 'ops1' has the role operator; GET /tokens needs the role admin", opTokens.Err.Trim());
        var opDown = await Vmc.RunWithTokenAsync(@operator, node.Api, "cluster", "down", "-a", "127.0.0.1:1");
        Assert.Equal(1, opDown.ExitCode);
        Assert.Contains("needs the role admin", opDown.Err);

        var taken = await Vmc.RunAsync(node.Api, "token", "create", "--role", "viewer", "--name", "watcher");
        Assert.Equal(1, taken.ExitCode);
        Assert.Equal("error: a token named watcher exists already", taken.Err.Trim());

        var revoke = await Vmc.RunAsync(node.Api, "token", "delete", "watcher");
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(node, HttpMethod.Get, "/domains", viewer)).Status);
    }

    private static async Task<string> CreateTokenAsync(NodeProcess node, string role, string name)
    {
        var created = await Vmc.RunAsync(node.Api, "token", "create", "--role", role, "--name", name);
        Assert.True(created.ExitCode == 0, created.ToString());
        var lines = created.Out.TrimEnd().Split('\n');
        Assert.Equal($"Token {name} ({role}); it is shown this once only:", lines[0]);
        return lines[1];
    }
}
