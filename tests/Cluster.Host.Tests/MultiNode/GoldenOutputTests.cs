using System.Text.RegularExpressions;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests.MultiNode;

/// <summary>
/// What vmc prints for the read commands on a real three-node cluster (simulated VMM), against golden text. What
/// differs from run to run is replaced before comparing: node addresses by &lt;node1&gt;..., times, job ids,
/// versions, pids, the host's CPUs and memory; runs of spaces (column padding) by two.
/// </summary>
public sealed class GoldenOutputTests
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Read_commands_print_the_golden_text_through_any_node()
    {
        await using var cluster = await ThreeNodeCluster.StartAsync("simulated");
        var node3 = cluster.Node3.Api;
        var created = await Vmc.RunAsync(node3, "domain", "create", "web1", "--vcpus", "1", "--memory", "64");
        Assert.True(created.ExitCode == 0, created.ToString());
        var started = await Vmc.RunAsync(node3, "domain", "start", "web1", "--server", "node2", "--wait");
        Assert.True(started.ExitCode == 0, started.ToString());
        await Poll.UntilAsync(() => Vmc.RunAsync(node3, "audit", "--domain", "web1"), r => r.Out.Contains("domain.started"), Converge,
            "the audit has web1's start");
        await Poll.UntilAsync(() => Vmc.RunAsync(node3, "server", "show", "node2", "--json"),
            r => r.ExitCode == 0 && r.Json.GetProperty("topDomains").GetArrayLength() == 1, Converge, "node2's load sample, with web1, reached node3");

        // Every command is run and compared; one assertion shows all that differ.
        var expected = new List<string>();
        var actual = new List<string>();
        foreach (var (args, golden) in Golden)
        {
            var r = await Vmc.RunAsync(node3, args.Split(' '));
            Assert.True(r.ExitCode == 0, $"vmc {args}: {r}");
            expected.Add($"$ vmc {args}\n{golden}");
            actual.Add($"$ vmc {args}\n{Normalize(r.Out, cluster)}");
        }
        Assert.Equal(string.Join("", expected), string.Join("", actual));
    }

    private static string Normalize(string text, ThreeNodeCluster cluster)
    {
        foreach (var node in cluster.Nodes) text = text.Replace(node.Address, $"<{node.Name}>");
        text = Regex.Replace(text, @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?", "<time>");
        text = Regex.Replace(text, @"\bj-[0-9a-f]{10}\b", "<job>");
        text = Regex.Replace(text, @"\b\d+\.\d+\.\d+\b", "<version>");
        text = Regex.Replace(text, @"\b\d+ MiB\b", "<MiB>");
        text = Regex.Replace(text, @"\b\d+(\.\d+)? GiB\b", "<GiB>");
        text = Regex.Replace(text, @"(?m)^(CPUs|Pid|Memory):( +)\d+", "$1:$2<n>");
        text = Regex.Replace(text, @"(?m)^(node\d +default +)\d+", "$1<n>"); // server list: the host's CPUs
        text = Regex.Replace(text, @"\b\d{8}\b", "<pid>"); // the simulated VMM's pids
        text = Regex.Replace(text, @"\b\d+(\.\d+)?%", "<pct>"); // load samples
        text = Regex.Replace(text, @" {2,}", "  ");
        return text.Replace("\r", "");
    }

    private static readonly (string Args, string Golden)[] Golden =
    [
        ("cluster show", """
            <node1> | [server] | up | reachable | <version>
            <node2> | [server] | up | reachable | <version>
            <node3> | [server] | up | reachable | <version>
            Count: 3 nodes

            """),
        ("cluster status", """
            <node3> | [server] | up | reachable | <version>

            """),
        ("cluster leader", """
            <node1>

            """),
        ("cluster-sharding regions", """
            domain
            pool
            server

            """),
        ("cluster-sharding region-stats -r domain", """
            NODE  SHARDS  ENTITIES
            <node1> (coordinator)  0  0
            <node2>  1  1
            <node3>  0  0
            Total: 1 shards, 1 entities on 3 nodes

            """),
        ("cluster-sharding shard-stats -r domain", """
            SHARD  NODE  ENTITIES
            web1  <node2>  1
            Count: 1 shards

            """),
        ("server list", """
            NAME  POOL  CPUS  MEMORY  CPU%  MEM%  HYPERVISOR  QEMU  DOMAINS  MAINTENANCE  ADDRESS
            node1  default  <n>  <MiB>  <pct>  <pct>  tcg  <version>  0  off  <node1>
            node2  default  <n>  <MiB>  <pct>  <pct>  tcg  <version>  1  off  <node2>
            node3  default  <n>  <MiB>  <pct>  <pct>  tcg  <version>  0  off  <node3>

            """),
        ("server show node2", """
            Name:  node2
            Address:  <node2>
            Pool:  default
            Maintenance: off
            CPUs:  <n>
            Memory:  <MiB>
            Hypervisor:  tcg
            VMM:  simulated
            QEMU:  <version>
            Domains:  1
            Used vCPUs:  1
            Used memory: <MiB>
            CPU load:  <pct>
            Memory load: <pct>
            Sampled at:  <time>
            Top domains: web1 <pct>
            Registered:  <time>

            """),
        ("domain list", """
            NAME  STATE  DESIRED  SERVER  VCPUS  MEMORY  PID
            web1  running  running  node2  1  <MiB>  <pid>

            """),
        ("domain show web1", """
            Name:  web1
            State:  running
            Desired:  running
            Server:  node2
            vCPUs:  1
            Memory:  <MiB>
            Restart:  on-crash
            Kernel:  -
            Initrd:  -
            Cmdline:  -
            PID:  <pid>
            Last error: -
            Last exit:  -
            Created:  <time>
            Updated:  <time>

            """),
        ("domain history web1", """
            web1: 4 events from <time> to <time>

            AT  SERVER  BY  WHAT  JOB
            <time>  node3  admin  created: 1 vCPU, <MiB>, 0 disk(s), pool default  <job>
            <time>  node2  admin  start requested  <job>
            <time>  node2  admin  start: node2: chosen by the operator, <GiB> free  <job>
            <time>  node2  admin  started on node2 (pid <pid>)  <job>

            Ran on: node2 (from <time>)
            Who:  admin (4)

            """),
        ("job list", """
            ID  COMMAND  TARGET  STATUS  PRINCIPAL  CREATED  MESSAGE
            <job>  start  web1  succeeded  admin  <time>  -
            <job>  create  web1  succeeded  admin  <time>  -

            """),
        ("audit --domain web1", """
            AT  TYPE  DOMAIN  SERVER  PRINCIPAL  JOB  SUMMARY
            <time>  domain.created  web1  node3  admin  <job>  created: 1 vCPU, <MiB>, 0 disk(s), pool default
            <time>  domain.start-requested  web1  node2  admin  <job>  start requested
            <time>  domain.placed  web1  node2  admin  <job>  start: node2: chosen by the operator, <GiB> free
            <time>  domain.started  web1  node2  admin  <job>  started on node2 (pid <pid>)

            """),
        ("token list", """
            NAME  ROLE  CREATED  BY
            admin  admin  <time>  first start

            """),
    ];
}
