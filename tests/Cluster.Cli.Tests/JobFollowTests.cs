using System.Net;

namespace Cluster.Cli.Tests;

/// <summary>job follow and --wait with a job that reports progress ({done, total, unit, message}).</summary>
public class JobFollowTests
{
    private const long MiB = 1 << 20;

    private static string Migrating(string status, long done, string qemu, string? message = null) =>
        Samples.Job("j-9", "migrate", "web1", status, message).TrimEnd().TrimEnd('}')
        + $$""", "progress": { "done": {{done}}, "total": {{128 * MiB}}, "unit": "bytes", "message": "{{qemu}}" } }""";

    private static StubApi Api() => new StubApi()
        .On("POST", "/domains/web1/migrate", HttpStatusCode.Accepted, Samples.Accepted("j-9", "migrate", "web1"))
        .OnSequence("GET", "/jobs/j-9",
            Samples.Job("j-9", "migrate", "web1", "running"),
            Migrating("running", 0, "setup"),
            Migrating("running", 32 * MiB, "active"),
            Migrating("running", 32 * MiB + 1, "active"), // the same whole percent: no new line when not a terminal
            Migrating("running", 96 * MiB, "active"),
            Migrating("succeeded", 128 * MiB, "completed", "migrated to node2 in 1200 ms, downtime 40 ms"));

    [Fact]
    public async Task Follow_prints_a_progress_line_per_change_when_not_a_terminal_and_exits_0_on_success()
    {
        var (code, stdout, stderr) = await Vmc.RunAsync(Api(), ["job", "follow", "j-9"]);

        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Equal("""
            [------------------------------]   0%  0 of 128M  setup
            [#######-----------------------]  25%  32M of 128M  active
            [######################--------]  75%  96M of 128M  active
            [##############################] 100%  128M of 128M  completed
            job j-9: migrate web1 succeeded: migrated to node2 in 1200 ms, downtime 40 ms

            """, stdout);
    }

    [Fact]
    public async Task On_a_terminal_the_bar_is_redrawn_in_place_on_one_line()
    {
        var stdout = new StringWriter();
        var options = new VmcOptions { Handler = Api(), GetEnvironment = _ => null, Terminal = true, PollInterval = TimeSpan.FromMilliseconds(5) };
        var code = await new VmcApp(options).RunAsync(["domain", "migrate", "web1", "--to", "node2", "--wait"], stdout, new StringWriter());

        Assert.Equal(0, code);
        var lines = stdout.ToString().Split('\n');
        Assert.Equal("job j-9: migrate web1 accepted", lines[0]);
        Assert.StartsWith("\r[------------------------------]   0%", lines[1]);
        Assert.Equal(5, lines[1].Split('\r', StringSplitOptions.RemoveEmptyEntries).Length); // drawn five times, one line
        Assert.EndsWith("\r[##############################] 100%  128M of 128M  completed", lines[1]);
        Assert.Equal("job j-9: migrate web1 succeeded: migrated to node2 in 1200 ms, downtime 40 ms", lines[2]);
    }

    [Fact]
    public async Task Follow_exits_1_when_the_job_failed_and_json_prints_only_the_final_job()
    {
        var api = new StubApi().OnSequence("GET", "/jobs/j-9",
            Migrating("running", 64 * MiB, "active"),
            Migrating("failed", 64 * MiB, "failed", "live migration failed: Unable to write to socket"));

        var (code, stdout, _) = await Vmc.RunAsync(api, ["job", "follow", "j-9"]);
        Assert.Equal(1, code);
        Assert.EndsWith("job j-9: migrate web1 failed: live migration failed: Unable to write to socket\n", stdout);

        (code, stdout, _) = await Vmc.RunAsync(api, ["job", "follow", "j-9", "--json"]);
        Assert.Equal(1, code);
        Assert.Equal("failed", System.Text.Json.JsonDocument.Parse(stdout).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Follow_of_an_unknown_job_says_so()
    {
        var api = new StubApi().On("GET", "/jobs/j-nope", HttpStatusCode.NotFound, """{ "error": "job j-nope is not known to this node", "field": "id" }""");

        var (code, _, stderr) = await Vmc.RunAsync(api, ["job", "follow", "j-nope"]);

        Assert.Equal(1, code);
        Assert.Equal("error: job j-nope is not known to this node\n", stderr);
    }

    [Fact]
    public async Task Show_prints_the_progress_of_a_long_job()
    {
        var api = new StubApi().On("GET", "/jobs/j-9", HttpStatusCode.OK, Migrating("running", 32 * MiB, "active"));

        var (_, stdout, _) = await Vmc.RunAsync(api, ["job", "show", "j-9"]);

        Assert.Contains("Progress:  [#######-----------------------]  25%  32M of 128M  active\n", stdout);
    }

    [Fact]
    public void Steps_are_counted_as_they_are_named()
    {
        Assert.Equal("[#########---------------------]  33%  1 of 3 steps  moving db1",
            Output.ProgressDisplay.Render(1, 3, "steps", "moving db1"));
        Assert.Equal("[------------------------------]   0%  0 of 0", Output.ProgressDisplay.Render(0, 0, "", null));
    }

    [Theory]
    [InlineData("create", "POST", "/domains", "--vcpus", "1", "--memory", "64")]
    [InlineData("start", "POST", "/domains/web1/start")]
    [InlineData("stop", "POST", "/domains/web1/stop")]
    [InlineData("pause", "POST", "/domains/web1/pause")]
    [InlineData("resume", "POST", "/domains/web1/resume")]
    [InlineData("restart", "POST", "/domains/web1/restart")]
    [InlineData("kill", "POST", "/domains/web1/kill")]
    [InlineData("migrate", "POST", "/domains/web1/migrate", "--to", "node2")]
    [InlineData("delete", "DELETE", "/domains/web1")]
    public async Task Every_domain_command_that_starts_a_job_takes_wait(string command, string method, string path, params string[] more)
    {
        var api = new StubApi()
            .On(method, path, HttpStatusCode.Accepted, Samples.Accepted("j-1", command, "web1"))
            .OnSequence("GET", "/jobs/j-1", Samples.Job("j-1", command, "web1", "running"), Samples.Job("j-1", command, "web1", "succeeded"));

        var (code, stdout, stderr) = await Vmc.RunAsync(api, ["domain", command, "web1", .. more, "--wait"]);

        Assert.True(code == 0, stderr);
        Assert.Equal($"job j-1: {command} web1 accepted\njob j-1: {command} web1 succeeded\n", stdout);
    }
}
