using System.Net;

namespace Cluster.Cli.Tests;

public class PromptTests
{
    [Fact]
    public async Task The_prompt_runs_help_and_commands_until_eof()
    {
        var api = new StubApi().On("GET", "/domains", HttpStatusCode.OK, Samples.Domains);

        var (code, stdout, stderr) = await Vmc.RunAsync(api, [], input: "help\n\ndomain list\nhelp job\nbogus\n");

        Assert.Equal(0, code);
        Assert.StartsWith("[127.0.0.1:9110] vmc> vmc - the operator's client of the VM cluster\n", stdout);
        Assert.Contains("Palettes:", stdout);
        Assert.Contains("[127.0.0.1:9110] vmc> NAME              STATE", stdout);
        Assert.Contains("vmc job - ", stdout);
        Assert.EndsWith("[127.0.0.1:9110] vmc> \n", stdout);
        Assert.Equal(6, stdout.Split("vmc> ").Length - 1); // five lines read, then EOF
        Assert.Equal("error: unknown palette 'bogus'\nsee 'vmc help'\n", stderr);
    }

    [Fact]
    public async Task Help_at_the_prompt_takes_a_palette_and_a_command()
    {
        var (code, stdout, stderr) = await Vmc.RunAsync(null, [], input: "help job follow\nhelp cluster tail\nhelp job nosuch\n");

        Assert.Equal(0, code);
        Assert.Contains("vmc> Usage:\n  vmc [host:port] job follow ID", stdout);
        Assert.Contains("vmc> Usage:\n  vmc [host:port] cluster tail", stdout);
        Assert.Equal("error: unknown command 'nosuch' in palette 'job'\nsee 'vmc help job'\n", stderr);
    }

    [Theory]
    [InlineData("exit")]
    [InlineData("quit")]
    public async Task Exit_and_quit_leave_the_prompt(string word)
    {
        var api = new StubApi();

        var (code, stdout, _) = await Vmc.RunAsync(api, ["10.1.2.3:9200"], input: $"{word}\ndomain list\n");

        Assert.Equal(0, code);
        Assert.Equal("[10.1.2.3:9200] vmc> ", stdout);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task The_prompt_understands_quotes()
    {
        var api = new StubApi().On("POST", "/domains", HttpStatusCode.Created,
            $$"""{ "job": {{Samples.Job("j-8", "create", "web1", "running")}} }""");

        var (code, _, _) = await Vmc.RunAsync(api, [],
            input: "domain create web1 --vcpus 1 --memory 64 --cmdline \"console=ttyS0 root=/dev/vda\"\n");

        Assert.Equal(0, code);
        Assert.Contains("\"cmdline\":\"console=ttyS0 root=/dev/vda\"", api.Requests.Single().Body);
    }

    [Fact]
    public void Tokenize_splits_on_whitespace_and_keeps_quoted_text()
    {
        Assert.Equal(["a", "b c", "d'e", "", "f"], CommandLine.Tokenize("  a \"b c\" \"d'e\" '' f "));
        Assert.Throws<UsageException>(() => CommandLine.Tokenize("a \"b"));
    }
}

public class AddressTests
{
    [Theory]
    [InlineData("127.0.0.1:9110", true)]
    [InlineData("localhost:80", true)]
    [InlineData("node-1.example.org:65535", true)]
    [InlineData("[::1]:9110", true)]
    [InlineData("127.0.0.1:0", false)]
    [InlineData("127.0.0.1:70000", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("domain", false)]
    [InlineData(":9110", false)]
    [InlineData("host:port", false)]
    public void Is_address(string token, bool expected) => Assert.Equal(expected, CommandLine.IsAddress(token));

    [Fact]
    public async Task The_first_argument_is_the_address_when_it_looks_like_one()
    {
        var api = new StubApi().On("GET", "/domains", HttpStatusCode.OK, "[]");

        var (code, _, _) = await Vmc.RunAsync(api, ["10.0.0.5:9200", "domain", "list"]);

        Assert.Equal(0, code);
        Assert.Equal("http://10.0.0.5:9200/domains", api.Requests.Single().Uri.ToString());
    }

    [Fact]
    public async Task The_default_address_is_local()
    {
        var api = new StubApi().On("GET", "/domains", HttpStatusCode.OK, "[]");

        await Vmc.RunAsync(api, ["domain", "list"]);

        Assert.Equal("http://127.0.0.1:9110/domains", api.Requests.Single().Uri.ToString());
    }

    [Fact]
    public async Task Vmc_address_overrides_the_default_but_not_the_argument()
    {
        var api = new StubApi().On("GET", "/domains", HttpStatusCode.OK, "[]");
        Func<string, string?> env = name => name == "VMC_ADDRESS" ? "node7:9300" : null;

        await Vmc.RunAsync(api, ["domain", "list"], env: env);
        await Vmc.RunAsync(api, ["node8:9400", "domain", "list"], env: env);

        Assert.Equal("http://node7:9300/domains", api.Requests[0].Uri.ToString());
        Assert.Equal("http://node8:9400/domains", api.Requests[1].Uri.ToString());
    }

    [Fact]
    public async Task A_bad_address_is_a_usage_error()
    {
        var (code, _, stderr) = await Vmc.RunAsync(new StubApi(), ["localhost:http", "domain", "list"]);

        Assert.Equal(2, code);
        Assert.StartsWith("error: 'localhost:http' is not an address", stderr);
    }

    [Fact]
    public async Task A_bad_vmc_address_is_a_usage_error()
    {
        var (code, _, stderr) = await Vmc.RunAsync(new StubApi(), ["domain", "list"], env: _ => "nowhere");

        Assert.Equal(2, code);
        Assert.StartsWith("error: VMC_ADDRESS='nowhere' is not an address", stderr);
    }

    [Fact]
    public async Task The_prompt_shows_the_address()
    {
        var (code, stdout, _) = await Vmc.RunAsync(new StubApi(), ["[::1]:9110"], input: "");

        Assert.Equal(0, code);
        Assert.Equal("[[::1]:9110] vmc> \n", stdout);
    }
}
