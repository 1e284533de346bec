namespace Cluster.Cli.Tests;

/// <summary>Answers shaped like docs/http-api.md.</summary>
internal static class Samples
{
    public const string Members = """
        { "selfNode": "akka.tcp://vmc@127.0.0.1:4053", "leader": "akka.tcp://vmc@127.0.0.1:4053",
          "oldest": "akka.tcp://vmc@127.0.0.1:4053",
          "members": [
            { "node": "akka.tcp://vmc@127.0.0.1:4053", "nodeUid": "123", "status": "Up",
              "roles": ["server"], "reachability": "Reachable", "appVersion": "0.1.0" },
            { "node": "akka.tcp://vmc@127.0.0.1:4054", "nodeUid": "456", "status": "Up",
              "roles": ["server", "api"], "reachability": "Unreachable", "appVersion": "0.1.0" },
            { "node": "akka.tcp://vmc@127.0.0.1:4055", "nodeUid": "789", "status": "Joining",
              "roles": [], "reachability": "Reachable", "appVersion": "0.1.1" } ],
          "unreachable": [ { "node": "akka.tcp://vmc@127.0.0.1:4054", "observedBy": ["akka.tcp://vmc@127.0.0.1:4053"] } ] }
        """;

    public const string Servers = """
        [ { "name": "node1", "address": "akka.tcp://vmc@127.0.0.1:4053", "pool": "default", "cpus": 2,
            "memoryMiB": 24000, "hypervisor": "tcg", "qemuVersion": "7.2.19", "vmm": "qemu",
            "registeredAt": "2026-11-25T15:00:00Z", "domains": 3, "usedVcpus": 3, "usedMemoryMiB": 384,
            "cpuPercent": 93.4, "memoryPercent": 41.0, "loadSampledAt": "2026-11-25T15:04:00Z",
            "topDomains": [ { "name": "web1", "cpuPercent": 48.2 }, { "name": "db1", "cpuPercent": 45.0 } ], "maintenance": false },
          { "name": "node2-long", "address": "akka.tcp://vmc@127.0.0.1:4054", "pool": "edge", "cpus": 16,
            "memoryMiB": 65536, "hypervisor": "kvm", "qemuVersion": null, "vmm": "simulated",
            "registeredAt": "2026-11-25T15:01:00Z", "domains": 0, "usedVcpus": 0, "usedMemoryMiB": 0,
            "cpuPercent": null, "memoryPercent": null, "loadSampledAt": null, "topDomains": [], "maintenance": true } ]
        """;

    public const string Web1 = """
        { "name": "web1", "state": "running", "desiredState": "running", "server": "node1", "vcpus": 1,
          "memoryMiB": 128, "disks": [ { "sizeBytes": 1073741824, "path": "/var/lib/vmc/web1/disk0.qcow2" },
                                        { "sizeBytes": 1610612736, "path": "/var/lib/vmc/web1/disk1.qcow2" } ],
          "restart": "on-crash", "kernel": null, "initrd": null, "cmdline": null, "pid": 4242,
          "lastError": null, "lastExit": "guest-shutdown", "createdAt": "2026-11-25T15:02:00Z", "updatedAt": "2026-11-25T15:03:00Z" }
        """;

    public const string Domains = "[" + Web1 + """
        , { "name": "database-primary", "state": "stopped", "desiredState": "stopped", "server": null, "vcpus": 4,
            "memoryMiB": 4096, "disks": [], "restart": "always", "kernel": null, "initrd": null, "cmdline": null,
            "pid": null, "lastError": null, "createdAt": "2026-11-25T15:02:00Z", "updatedAt": "2026-11-25T15:02:00Z" } ]
        """;

    public static string Job(string id, string command, string domain, string status, string? message = null) =>
        $$"""
        { "id": "{{id}}", "command": "{{command}}", "target": "{{domain}}", "principal": "alice",
          "status": "{{status}}", "message": {{(message is null ? "null" : $"\"{message}\"")}},
          "createdAt": "2026-11-25T15:04:00Z", "finishedAt": {{(status == "running" ? "null" : "\"2026-11-25T15:04:02Z\"")}} }
        """;

    public static string Accepted(string id, string command, string domain) =>
        $$"""{ "job": {{Job(id, command, domain, "running")}} }""";
}
