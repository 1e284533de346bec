using System.Net;

namespace Cluster.Cli.Tests;

/// <summary>vmc server maintenance on|off against a stub node: the evacuation job, its progress, and off.</summary>
public class MaintenanceTests
{
    private static StubApi Api() => new StubApi()
        .On("PUT", "/servers/node1/maintenance", HttpStatusCode.Accepted,
            """{ "job": """ + Samples.Job("j-e1", "evacuate", "node1", "running") + " }")
        .OnSequence("GET", "/jobs/j-e1",
            Samples.Job("j-e1", "evacuate", "node1", "running").TrimEnd().TrimEnd('}')
                + """, "progress": { "done": 1, "total": 2, "unit": "domains moved", "message": null } }""",
            Samples.Job("j-e1", "evacuate", "node1", "failed",
                "1 of 2 moved; could not move (they keep running on node1): web2: no server in pool default can take web2 (1 vCPU, 64 MiB): node2: web1 of group web is there"))
        .On("DELETE", "/servers/node1/maintenance", HttpStatusCode.OK, """{ "name": "node1", "maintenance": false }""");

    [Fact]
    public async Task Maintenance_on_follows_the_evacuation_and_names_what_could_not_move()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["server", "maintenance", "on", "node1", "--wait"]);

        Assert.Equal(1, code);
        Assert.Equal(
            """
            job j-e1: evacuate node1 accepted
            [###############---------------]  50%  1 of 2 domains moved
            job j-e1: evacuate node1 failed: 1 of 2 moved; could not move (they keep running on node1): web2: no server in pool default can take web2 (1 vCPU, 64 MiB): node2: web1 of group web is there

            """, stdout);
    }

    [Fact]
    public async Task Maintenance_off_says_the_server_takes_domains_again()
    {
        var (code, stdout, _) = await Vmc.RunAsync(Api(), ["server", "maintenance", "off", "node1"]);

        Assert.Equal(0, code);
        Assert.Equal("Server node1 is out of maintenance: the scheduler places domains there again.\n", stdout);
    }

    [Fact]
    public async Task Anything_but_on_or_off_is_a_usage_error()
    {
        var api = Api();
        var (code, _, stderr) = await Vmc.RunAsync(api, ["server", "maintenance", "maybe", "node1"]);

        Assert.Equal(2, code);
        Assert.StartsWith("error: server maintenance takes on or off, not 'maybe'\n", stderr);
        Assert.Empty(api.Requests);
    }
}
