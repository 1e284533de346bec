using System.Net;
using System.Text;
using System.Text.Json;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>Bad input gets a clear 4xx that names the field, changes nothing, and the node keeps running.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private NodeProcess _node = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _node = await NodeProcess.StartAsync();
        _http = _node.AdminHttp();
        var create = await Vmc.RunAsync(_node.Api, "domain", "create", "web1", "--vcpus", "1", "--memory", "64");
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Equal(0, (await Vmc.RunAsync(_node.Api, "domain", "start", "web1", "--wait")).ExitCode);
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        await _node.DisposeAsync();
    }

    public static TheoryData<string, string> BadCreates => new()
    {
        { """{"name":"","vcpus":1,"memoryMiB":64}""", "name" },
        { $$"""{"name":"{{new string('a', 64)}}","vcpus":1,"memoryMiB":64}""", "name" },
        { """{"name":"../etc","vcpus":1,"memoryMiB":64}""", "name" },
        { """{"name":"a/b","vcpus":1,"memoryMiB":64}""", "name" },
        { """{"name":"wëb","vcpus":1,"memoryMiB":64}""", "name" },
        { """{"name":"ok1","vcpus":0,"memoryMiB":64}""", "vcpus" },
        { """{"name":"ok1","vcpus":4096,"memoryMiB":64}""", "vcpus" },
        { """{"name":"ok1","vcpus":1,"memoryMiB":0}""", "memoryMiB" },
        { """{"name":"ok1","vcpus":1,"memoryMiB":100000000}""", "memoryMiB" },
        { """{"name":"ok1","vcpus":1}""", "memoryMiB" },
        { """{"name":"ok1","vcpus":1,"memoryMiB":64,"disks":["lots"]}""", "disks[0]" },
        { """{"name":"ok1","vcpus":1,"memoryMiB":64,"restart":"sometimes"}""", "restart" },
        { """{"name":"ok1","vcpus":1,"memoryMiB":64,"kernel":"/no/such/vmlinuz"}""", "kernel" },
        { """{"name":"ok1","vcpus":"one","memoryMiB":64}""", "vcpus" },
        { """{"name":"ok1","vcpus":1,"memory":64}""", "memory" },
        { """{"name":"web1","vcpus":1,"memoryMiB":64}""", "" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task A_bad_create_is_refused_naming_the_field_and_changes_nothing(string body, string field)
    {
        var before = _node.JournalRows();
        var response = await _http.PostAsync("/domains", new StringContent(body, Encoding.UTF8, "application/json"));
        var error = await ErrorOf(response);
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{response.StatusCode}: {error}");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("error").GetString()));
        if (field != "") Assert.Equal(field, error.GetProperty("field").GetString());
        else Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(before, _node.JournalRows());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[1,2]")]
    [InlineData("null")]
    [InlineData("")]
    public async Task Malformed_json_is_a_400_and_changes_nothing(string body)
    {
        var before = _node.JournalRows();
        var response = await _http.PostAsync("/domains", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("request body", (await ErrorOf(response)).GetProperty("error").GetString());
        Assert.Equal(before, _node.JournalRows());
    }

    [Fact]
    public async Task Invalid_transitions_and_unknown_domains_change_nothing()
    {
        var before = _node.JournalRows();
        var delete = await _http.DeleteAsync("/domains/web1");
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Equal("domain web1 is running; stop it before delete", (await ErrorOf(delete)).GetProperty("error").GetString());

        var start = await _http.PostAsync("/domains/web1/start", null);
        Assert.Equal(HttpStatusCode.Conflict, start.StatusCode);
        var resume = await _http.PostAsync("/domains/web1/resume", null);
        Assert.Equal(HttpStatusCode.Conflict, resume.StatusCode);

        var unknown = await _http.PostAsync("/domains/nosuch/start", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("name", (await ErrorOf(unknown)).GetProperty("field").GetString());

        var badTimeout = await _http.PostAsync("/domains/web1/stop?timeout=soon", null);
        Assert.Equal(HttpStatusCode.BadRequest, badTimeout.StatusCode);
        Assert.Equal("timeout", (await ErrorOf(badTimeout)).GetProperty("field").GetString());

        var badName = await _http.GetAsync("/domains/" + Uri.EscapeDataString("..%2Fx"));
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);

        Assert.Equal(before, _node.JournalRows());
        Assert.Equal("running", (await Vmc.DomainAsync(_node.Api, "web1")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Bad_balance_requests_name_what_was_wrong_and_a_dry_run_moves_nothing()
    {
        var before = _node.JournalRows();
        var badName = await _http.PostAsync("/pools/" + Uri.EscapeDataString("a b") + "/balance", null);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal("name", (await ErrorOf(badName)).GetProperty("field").GetString());
        var badFlag = await _http.PostAsync("/pools/default/balance?dryRun=maybe", null);
        Assert.Equal(HttpStatusCode.BadRequest, badFlag.StatusCode);
        Assert.Equal("dryRun", (await ErrorOf(badFlag)).GetProperty("field").GetString());

        var unknown = await Vmc.RunAsync(_node.Api, "pool", "balance", "nosuch", "--dry-run");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("error: pool nosuch has no servers", unknown.Err.Trim());

        var dryRun = await Vmc.RunAsync(_node.Api, "pool", "balance", "default", "--dry-run", "--json");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Equal(0, dryRun.Json.GetProperty("moves").GetArrayLength()); // one idle server: nothing to move
        Assert.False(dryRun.Json.GetProperty("executed").GetBoolean());
        Assert.Equal(before, _node.JournalRows());
    }

    [Fact]
    public async Task Vmc_reports_bad_input_in_one_line_naming_what_was_wrong()
    {
        var before = _node.JournalRows();

        var badName = await Vmc.RunAsync(_node.Api, "domain", "create", "bad/name", "--vcpus", "1", "--memory", "64");
        Assert.Equal(1, badName.ExitCode);
        Assert.StartsWith("error: name", badName.Err.Trim());

        var zeroCpus = await Vmc.RunAsync(_node.Api, "domain", "create", "ok2", "--vcpus", "0", "--memory", "64");
        Assert.NotEqual(0, zeroCpus.ExitCode);
        Assert.Contains("vcpus", zeroCpus.Err);

        var huge = await Vmc.RunAsync(_node.Api, "domain", "create", "ok2", "--vcpus", "1", "--memory", "99999999");
        Assert.Equal(1, huge.ExitCode);
        Assert.Contains("memoryMiB", huge.Err);

        var unknown = await Vmc.RunAsync(_node.Api, "domain", "stop", "nosuch");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("error: domain nosuch does not exist", unknown.Err.Trim());

        var conflict = await Vmc.RunAsync(_node.Api, "domain", "delete", "web1");
        Assert.Equal(1, conflict.ExitCode);
        Assert.Equal("error: domain web1 is running; stop it before delete", conflict.Err.Trim());

        foreach (var r in new[] { badName, zeroCpus, huge, unknown, conflict })
            Assert.DoesNotContain("   at ", r.Err); // never a stack trace
        Assert.Equal(before, _node.JournalRows());
    }

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
