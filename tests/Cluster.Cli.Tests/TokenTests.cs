using System.Net;
using System.Text.Json;

namespace Cluster.Cli.Tests;

/// <summary>Where vmc takes its API token from, and the token palette.</summary>
public class TokenTests
{
    private static StubApi Api() => new StubApi().On("GET", "/domains", HttpStatusCode.OK, "[]");

    private static Func<string, string?> Env(string token) => v => v == "VMC_TOKEN" ? token : null;

    [Fact]
    public async Task The_token_comes_from_VMC_TOKEN_and_the_switch_wins()
    {
        var api = Api();
        await Vmc.RunAsync(api, ["domain", "list"], env: Env("vmc_env"));
        await Vmc.RunAsync(api, ["domain", "list", "--token", "vmc_flag"], env: Env("vmc_env"));

        Assert.Equal(["Bearer vmc_env", "Bearer vmc_flag"], api.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task The_token_file_is_read_and_trimmed_relative_to_the_current_directory()
    {
        var dir = Directory.CreateTempSubdirectory("vmc-token-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "admin.token"), "vmc_file\n");
            var api = Api();
            var (code, _, _) = await Vmc.RunAsync(api, ["domain", "list", "--token-file", "admin.token"], env: Env("vmc_env"), cwd: dir.FullName);

            Assert.Equal(0, code);
            Assert.Equal("Bearer vmc_file", Assert.Single(api.Requests).Authorization);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Without_a_token_no_authorization_is_sent()
    {
        var api = Api();
        await Vmc.RunAsync(api, ["domain", "list"]);

        Assert.Null(Assert.Single(api.Requests).Authorization);
    }

    [Theory]
    [InlineData(new[] { "domain", "list", "--token", "a", "--token-file", "b" }, "error: give either --token or --token-file, not both")]
    [InlineData(new[] { "domain", "list", "--token-file", "/no/such/token" }, "error: cannot read the token file /no/such/token: ")]
    [InlineData(new[] { "domain", "list", "--token", "two words" }, "error: the API token may contain only printable ASCII characters without spaces")]
    [InlineData(new[] { "token", "create" }, "error: missing switch --role ROLE for 'token create'")]
    [InlineData(new[] { "token", "create", "--role", "root" }, "error: --role must be one of viewer, operator, admin, not 'root'")]
    public async Task Bad_token_input_is_a_usage_error(string[] args, string message)
    {
        var api = Api();
        var (code, _, stderr) = await Vmc.RunAsync(api, args);

        Assert.Equal(2, code);
        Assert.StartsWith(message, stderr);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task A_refusal_of_the_node_is_its_sentence_and_exit_1()
    {
        var api = new StubApi().On("GET", "/tokens", HttpStatusCode.Forbidden,
            """{"error": "token 'ops' has the role operator; GET /tokens needs the role admin", "field": null}""");
        var (code, _, stderr) = await Vmc.RunAsync(api, ["token", "list"], env: Env("vmc_ops"));

        Assert.Equal(1, code);
        Assert.Equal("error: token 'ops' has the role operator; GET /tokens needs the role admin\n", stderr);
    }

    [Fact]
    public async Task Token_create_posts_role_and_name_and_prints_the_secret_once()
    {
        var api = new StubApi().On("POST", "/tokens", HttpStatusCode.Created,
            """{"name": "ci", "role": "operator", "token": "vmc_secret"}""");
        var (code, stdout, _) = await Vmc.RunAsync(api, ["token", "create", "--role", "operator", "--name", "ci"], env: Env("vmc_admin"));

        Assert.Equal(0, code);
        Assert.Equal("""{"role":"operator","name":"ci"}""", api.Requests[0].Body);
        Assert.Equal(
            """
            Token ci (operator); it is shown this once only:
            vmc_secret

            """, stdout);
    }

    [Fact]
    public async Task Token_list_prints_a_table_without_secrets_and_json_passes_through()
    {
        const string body = """
            [ { "name": "admin", "role": "admin", "createdAt": "2026-11-25T15:00:00Z", "createdBy": "first start" },
              { "name": "ci", "role": "operator", "createdAt": "2026-11-25T16:00:00Z", "createdBy": "admin" } ]
            """;
        var api = new StubApi().On("GET", "/tokens", HttpStatusCode.OK, body);
        var (code, stdout, _) = await Vmc.RunAsync(api, ["token", "list"]);
        var (_, json, _) = await Vmc.RunAsync(api, ["token", "list", "--json"]);

        Assert.Equal(0, code);
        Assert.Equal(
            """
            NAME   ROLE      CREATED               BY
            admin  admin     2026-11-25T15:00:00Z  first start
            ci     operator  2026-11-25T16:00:00Z  admin

            """, stdout);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(json).RootElement.ValueKind);
    }
}
