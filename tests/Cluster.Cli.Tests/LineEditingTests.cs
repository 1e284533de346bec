using System.Net;
using System.Text.Json;

namespace Cluster.Cli.Tests;

/// <summary>The prompt at a terminal: keys edited into lines, the history file, Tab with names from the node.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LineEditingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vmc-history").FullName;

    private string HistoryFile => Path.Combine(_dir, ".vmc_history");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ConsoleKeyInfo Key(ConsoleKey key, bool control = false) => new('\0', key, false, false, control);

    private static IEnumerable<ConsoleKeyInfo> Type(string text) =>
        text.Select(c => new ConsoleKeyInfo(c, c == ' ' ? ConsoleKey.Spacebar : ConsoleKey.A, false, false, false));

    /// <summary>Runs the prompt on scripted keys against the stub; returns what it printed.</summary>
    private async Task<(int Code, string Out, string Err)> RunAsync(StubApi api, IEnumerable<ConsoleKeyInfo> keys)
    {
        using var script = keys.GetEnumerator();
        var options = new VmcOptions
        {
            Handler = api,
            GetEnvironment = name => name == VmcOptions.TokenVariable ? "vmc_test" : null,
            ReadKey = () => script.MoveNext() ? script.Current : Key(ConsoleKey.D, control: true),
            HistoryFile = HistoryFile,
            HttpTimeout = TimeSpan.FromSeconds(5),
        };
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await new VmcApp(options).RunAsync([], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static StubApi Api() => new StubApi()
        .On("GET", "/domains", HttpStatusCode.OK, """[ { "name": "web1" }, { "name": "web2" }, { "name": "db1" } ]""")
        .On("GET", "/domains/db1", HttpStatusCode.OK, Samples.Web1.Replace("\"web1\"", "\"db1\""))
        .On("GET", "/cluster/members", HttpStatusCode.OK, Samples.Members);

    [Fact]
    public async Task Tab_completes_a_palette_a_command_and_a_domain_name_asked_from_the_node_once()
    {
        var api = Api();
        var (code, stdout, stderr) = await RunAsync(api,
            [.. Type("dom"), Key(ConsoleKey.Tab), .. Type("sh"), Key(ConsoleKey.Tab), .. Type("d"), Key(ConsoleKey.Tab), Key(ConsoleKey.Enter),
             .. Type("domain show w"), Key(ConsoleKey.Tab), Key(ConsoleKey.Tab), Key(ConsoleKey.C, control: true)]);

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Contains("/domains/db1", api.Requests.Select(r => r.Uri.AbsolutePath)); // the completed line ran
        Assert.Contains("\r[127.0.0.1:9110] vmc> domain show db1 \u001b[K\n", stdout);
        Assert.Contains("\nweb1  web2\n", stdout); // "w" is the start of two names: Tab shows them (again on the second Tab)
        Assert.Contains("domain show web\u001b[K", stdout); // their common start was inserted
        Assert.Equal(1, api.Requests.Count(r => r.Uri.AbsolutePath == "/domains")); // cached between Tabs
        Assert.Equal("Bearer vmc_test", api.Requests.First(r => r.Uri.AbsolutePath == "/domains").Authorization);
    }

    [Fact]
    public async Task Up_and_down_walk_the_history_which_is_kept_owner_only_across_sessions_without_token_secrets()
    {
        await RunAsync(Api(), [.. Type("cluster show"), Key(ConsoleKey.Enter), .. Type("cluster leader --token s3cret"), Key(ConsoleKey.Enter)]);

        Assert.Equal(["cluster show"], File.ReadAllLines(HistoryFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(HistoryFile));

        // A new session: Up brings back the last line of the file; Up past the oldest stays; Down returns to what was typed.
        var api = Api();
        var (_, stdout, _) = await RunAsync(api,
            [.. Type("dom"), Key(ConsoleKey.UpArrow), Key(ConsoleKey.UpArrow), Key(ConsoleKey.DownArrow), Key(ConsoleKey.UpArrow), Key(ConsoleKey.Enter)]);
        Assert.Contains("vmc> cluster show\u001b[K", stdout);
        Assert.Contains("vmc> dom\u001b[K", stdout);
        Assert.Single(api.Requests, r => r.Uri.AbsolutePath == "/cluster/members");
        Assert.Equal(["cluster show"], File.ReadAllLines(HistoryFile)); // the same line again is not added twice
    }

    [Fact]
    public async Task Arrows_home_and_backspace_edit_inside_the_line()
    {
        var api = Api();
        await RunAsync(api,
        [
            .. Type("luster shw"), Key(ConsoleKey.LeftArrow), .. Type("o"), Key(ConsoleKey.Home), .. Type("xc"),
            Key(ConsoleKey.LeftArrow), Key(ConsoleKey.Backspace), Key(ConsoleKey.End), Key(ConsoleKey.Enter),
        ]);

        Assert.Single(api.Requests, r => r.Uri.AbsolutePath == "/cluster/members"); // "cluster show" ran
    }

    [Fact]
    public async Task A_node_that_cannot_be_reached_completes_nothing_and_the_prompt_goes_on()
    {
        var api = new StubApi(); // every route 404s
        var (code, stdout, stderr) = await RunAsync(api, [.. Type("domain stop w"), Key(ConsoleKey.Tab), Key(ConsoleKey.C, control: true)]);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("domain stop w\u001b[K", stdout);
        Assert.Contains("^C", stdout);
    }
}
