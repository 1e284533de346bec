namespace Cluster.Cli.Tests;

public class UsageTests
{
    [Theory]
    [InlineData("domain stop web1 --bogus", "error: unknown switch '--bogus' for 'domain stop'", "domain")]
    [InlineData("domain create web1 --vcpus two --memory 128", "error: --vcpus needs a whole number greater than 0, not 'two'", "domain")]
    [InlineData("domain create web1 --vcpus 0 --memory 128", "error: --vcpus needs a whole number greater than 0, not '0'", "domain")]
    [InlineData("domain create web1 --vcpus 1", "error: missing switch --memory MiB for 'domain create'", "domain")]
    [InlineData("domain create web1 --vcpus 1 --memory 64 --restart sometimes", "error: --restart must be one of always, on-crash, never, not 'sometimes'", "domain")]
    [InlineData("domain create web1 --vcpus 1 --vcpus 2 --memory 64", "error: switch --vcpus is given more than once", "domain")]
    [InlineData("domain create web1 --memory 64 --vcpus", "error: switch --vcpus needs a value", "domain")]
    [InlineData("domain start", "error: missing argument NAME for 'domain start'", "domain")]
    [InlineData("domain start web1 web2", "error: unexpected argument 'web2' for 'domain start'", "domain")]
    [InlineData("domain start web1 --wait-timeout soon", "error: --wait-timeout needs a whole number greater than 0, not 'soon'", "domain")]
    [InlineData("domain list --wait", "error: unknown switch '--wait' for 'domain list'", "domain")]
    [InlineData("domain frobnicate", "error: unknown command 'frobnicate' in palette 'domain'", "domain")]
    [InlineData("domain", "error: missing command for palette 'domain'", "domain")]
    [InlineData("vm list", "error: unknown palette 'vm'", "")]
    [InlineData("pool create gpu --policy random", "error: --policy must be one of best-fit, balance, current-server, not 'random'", "pool")]
    [InlineData("pool create gpu --ha yes", "error: --ha must be one of on, off, not 'yes'", "pool")]
    [InlineData("pool set gpu --cpu-threshold 0", "error: --cpu-threshold needs a whole number greater than 0, not '0'", "pool")]
    [InlineData("server add-to-pool node1", "error: missing argument POOL for 'server add-to-pool'", "server")]
    [InlineData("pool balance", "error: missing argument POOL for 'pool balance'", "pool")]
    [InlineData("pool balance default --dry-run=yes", "error: switch --dry-run takes no value", "pool")]
    [InlineData("server list --json=yes", "error: switch --json takes no value", "server")]
    [InlineData("job show j-1 -x", "error: unknown switch '-x' for 'job show'", "job")]
    public async Task Usage_errors_exit_2_with_one_line_and_a_hint(string line, string error, string topic)
    {
        var api = new StubApi();
        var (code, stdout, stderr) = await Vmc.RunAsync(api, line.Split(' '));

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var lines = stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(error, lines[0]);
        Assert.Equal(topic.Length == 0 ? "see 'vmc help'" : $"see 'vmc help {topic}'", lines[1]);
        Assert.Equal(2, lines.Length);
        Assert.Empty(api.Requests); // a bad line never reaches the node
    }

    [Fact]
    public async Task Help_lists_palettes_and_switches_without_a_node()
    {
        var (code, stdout, stderr) = await Vmc.RunAsync(null, ["help"]);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.StartsWith("vmc - the operator's client of the VM cluster\n", stdout);
        foreach (var word in new[] { "cluster", "server", "domain", "job", "--json", "--wait", "--wait-timeout S", "--help" })
        {
            Assert.Contains(word, stdout);
        }
    }

    [Theory]
    [InlineData("help domain")]
    [InlineData("domain --help")]
    [InlineData("domain -h")]
    [InlineData("--help domain")]
    public async Task Palette_help_lists_its_commands(string line)
    {
        var (code, stdout, _) = await Vmc.RunAsync(null, line.Split(' '));

        Assert.Equal(0, code);
        Assert.StartsWith("vmc domain - ", stdout);
        Assert.Contains("create NAME --vcpus N --memory MiB [--disk SIZE]... [--restart always|on-crash|never]", stdout);
        Assert.Contains("stop NAME [--timeout S]", stdout);
    }

    [Fact]
    public async Task Help_anywhere_wins_over_a_bad_line()
    {
        var (code, stdout, _) = await Vmc.RunAsync(null, ["domain", "create", "--vcpus", "x", "--help"]);

        Assert.Equal(0, code);
        Assert.StartsWith("Usage:\n  vmc [host:port] domain create NAME --vcpus N", stdout);
    }

    [Fact]
    public async Task Help_of_an_unknown_palette_is_a_usage_error()
    {
        var (code, _, stderr) = await Vmc.RunAsync(null, ["help", "vm"]);

        Assert.Equal(2, code);
        Assert.StartsWith("error: unknown palette 'vm'\n", stderr);
    }
}
