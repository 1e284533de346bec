using System.Net;
using System.Text.Json;

namespace Cluster.Cli.Tests;

public class JobTests
{
    [Fact]
    public async Task A_job_command_prints_the_accepted_job()
    {
        var api = new StubApi().On("POST", "/domains/web1/start", HttpStatusCode.Accepted, Samples.Accepted("j-1", "start", "web1"));

        var (code, stdout, _) = await Vmc.RunAsync(api, ["domain", "start", "web1"]);

        Assert.Equal(0, code);
        Assert.Equal("job j-1: start web1 accepted\n", stdout);
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task Wait_follows_the_job_until_it_succeeds()
    {
        var api = new StubApi()
            .On("POST", "/domains/web1/start", HttpStatusCode.Accepted, Samples.Accepted("j-1", "start", "web1"))
            .OnSequence("GET", "/jobs/j-1",
                Samples.Job("j-1", "start", "web1", "running"),
                Samples.Job("j-1", "start", "web1", "running"),
                Samples.Job("j-1", "start", "web1", "succeeded"));

        var (code, stdout, stderr) = await Vmc.RunAsync(api, ["domain", "start", "web1", "--wait"]);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal("job j-1: start web1 accepted\njob j-1: start web1 succeeded\n", stdout);
        Assert.Equal(3, api.Requests.Count(r => r.Uri.AbsolutePath == "/jobs/j-1"));
    }

    [Fact]
    public async Task Wait_reports_a_failed_job_and_exits_1()
    {
        var api = new StubApi()
            .On("POST", "/domains/web1/stop", HttpStatusCode.Accepted, Samples.Accepted("j-2", "stop", "web1"))
            .OnSequence("GET", "/jobs/j-2", Samples.Job("j-2", "stop", "web1", "failed", "the VMM did not answer"));

        var (code, stdout, _) = await Vmc.RunAsync(api, ["domain", "stop", "web1", "--timeout", "5", "--wait"]);

        Assert.Equal(1, code);
        Assert.Equal("job j-2: stop web1 accepted\njob j-2: stop web1 failed: the VMM did not answer\n", stdout);
        Assert.Equal("?timeout=5", api.Requests[0].Uri.Query);
    }

    [Fact]
    public async Task Wait_gives_up_after_the_wait_timeout()
    {
        var api = new StubApi()
            .On("POST", "/domains/web1/restart", HttpStatusCode.Accepted, Samples.Accepted("j-3", "restart", "web1"))
            .OnSequence("GET", "/jobs/j-3", Samples.Job("j-3", "restart", "web1", "running"));

        var (code, _, stderr) = await Vmc.RunAsync(api, ["domain", "restart", "web1", "--wait-timeout", "1"]);

        Assert.Equal(1, code);
        Assert.Equal("error: job j-3 (restart web1) is still running after 1 s; see 'vmc job show j-3'\n", stderr);
    }

    [Fact]
    public async Task Json_on_a_job_command_prints_the_job()
    {
        var api = new StubApi()
            .On("POST", "/domains", HttpStatusCode.Created,
                $$"""{ "job": {{Samples.Job("j-4", "create", "web1", "running")}}, "domain": {{Samples.Web1}} }""")
            .OnSequence("GET", "/jobs/j-4", Samples.Job("j-4", "create", "web1", "succeeded"));

        var (code, stdout, _) = await Vmc.RunAsync(api, ["domain", "create", "web1", "--vcpus", "1", "--memory", "128", "--json"]);
        Assert.Equal(0, code);
        Assert.Equal("running", JsonDocument.Parse(stdout).RootElement.GetProperty("status").GetString());

        (code, stdout, _) = await Vmc.RunAsync(api, ["domain", "create", "web1", "--vcpus", "1", "--memory", "128", "--json", "--wait"]);
        Assert.Equal(0, code);
        Assert.Equal("succeeded", JsonDocument.Parse(stdout).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Create_sends_the_contract_body_with_absolute_paths()
    {
        var api = new StubApi().On("POST", "/domains", HttpStatusCode.Created,
            $$"""{ "job": {{Samples.Job("j-5", "create", "web1", "running")}}, "domain": {{Samples.Web1}} }""");

        var (code, stdout, _) = await Vmc.RunAsync(api,
        [
            "domain", "create", "web1", "--vcpus", "2", "--memory=256", "--disk", "1G", "--disk", "512M",
            "--restart", "never", "--kernel", "boot/vmlinuz", "--initrd", "/srv/initrd.gz", "--cmdline", "console=ttyS0 quiet",
        ], cwd: "/home/op");

        Assert.Equal(0, code);
        Assert.Equal("job j-5: create web1 accepted\n", stdout);
        var body = JsonDocument.Parse(api.Requests.Single().Body!).RootElement;
        Assert.Equal("web1", body.GetProperty("name").GetString());
        Assert.Equal(2, body.GetProperty("vcpus").GetInt32());
        Assert.Equal(256, body.GetProperty("memoryMiB").GetInt32());
        Assert.Equal(["1G", "512M"], body.GetProperty("disks").EnumerateArray().Select(d => d.GetString()!));
        Assert.Equal("never", body.GetProperty("restart").GetString());
        Assert.Equal("/home/op/boot/vmlinuz", body.GetProperty("kernel").GetString());
        Assert.Equal("/srv/initrd.gz", body.GetProperty("initrd").GetString());
        Assert.Equal("console=ttyS0 quiet", body.GetProperty("cmdline").GetString());
    }

    [Fact]
    public async Task Create_leaves_out_what_was_not_given()
    {
        var api = new StubApi().On("POST", "/domains", HttpStatusCode.Created,
            $$"""{ "job": {{Samples.Job("j-6", "create", "db", "running")}} }""");

        await Vmc.RunAsync(api, ["domain", "create", "db", "--vcpus", "1", "--memory", "64"]);

        var body = JsonDocument.Parse(api.Requests.Single().Body!).RootElement;
        Assert.Equal(["name", "vcpus", "memoryMiB"], body.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("kill", "POST", "/domains/web1/kill")]
    [InlineData("pause", "POST", "/domains/web1/pause")]
    [InlineData("resume", "POST", "/domains/web1/resume")]
    [InlineData("delete", "DELETE", "/domains/web1")]
    public async Task Transitions_use_the_contract_routes(string command, string method, string path)
    {
        var api = new StubApi().On(method, path, HttpStatusCode.Accepted, Samples.Accepted("j-7", command, "web1"));

        var (code, stdout, _) = await Vmc.RunAsync(api, ["domain", command, "web1"]);

        Assert.Equal(0, code);
        Assert.Equal($"job j-7: {command} web1 accepted\n", stdout);
    }
}
