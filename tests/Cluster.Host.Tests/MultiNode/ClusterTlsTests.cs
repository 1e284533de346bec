using System.Net.Http.Json;
using System.Text.Json;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests.MultiNode;

/// <summary>
/// TLS remoting with a cluster certificate (made by ops/cluster-cert.sh): real nodes, simulated VMM. Two nodes with
/// the certificate form a cluster; a stranger is refused whether it speaks plain TCP, holds a certificate of its own,
/// or holds one of its own and suppresses validation on its side.
/// </summary>
public sealed class ClusterTlsTests
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(45);

    /// <summary>How long a refused stranger is watched: several join attempts (one every seed-node-timeout, 5 s).</summary>
    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Nodes_with_the_cluster_certificate_form_a_cluster_and_a_node_without_it_never_becomes_a_member()
    {
        var certs = TestPaths.NewTempDir();
        try
        {
            var cert = await ClusterCertFiles.CreateAsync(Path.Combine(certs, "cluster"), "vmc-cluster");
            var foreign = await ClusterCertFiles.CreateAsync(Path.Combine(certs, "foreign"), "vmc-cluster");

            await using var pg = await PostgresServer.StartAsync();
            await using var node1 = new NodeProcess("node1", pg.ConnectionString, "simulated", cert: cert);
            await using var node2 = new NodeProcess("node2", pg.ConnectionString, "simulated", seeds: [node1], cert: cert);
            await node1.LaunchAsync();
            await node2.LaunchAsync();
            Assert.StartsWith("akka.ssl.tcp://", node1.Address);
            await Poll.UntilAsync(() => UpMembersAsync(node1), up => up.SetEquals([node1.Address, node2.Address]), Converge,
                "node1 sees node1 and node2 up over TLS");

            // Strangers, each on its own SQLite journal, each given node1 as its seed.
            await using var plain = new NodeProcess("plain", vmm: "simulated", seeds: [node1]);
            await using var selfSigned = new NodeProcess("selfsigned", vmm: "simulated", seeds: [node1], cert: foreign);
            // Akka's own TLS settings, not the node's: a certificate of its own, validation of node1's suppressed, and
            // node1's TLS address as its seed.
            await using var careless = new NodeProcess("careless", vmm: "simulated", config: $$"""
                akka.remote.dot-netty.tcp.enable-ssl = on
                akka.remote.dot-netty.tcp.ssl {
                  certificate { path = "{{foreign.Pfx}}", password = "{{File.ReadAllText(foreign.PasswordFile).Trim()}}" }
                  suppress-validation = true
                }
                akka.cluster.seed-nodes = ["{{node1.Address}}"]
                """);
            NodeProcess[] strangers = [plain, selfSigned, careless];
            await Task.WhenAll(strangers.Select(s => s.LaunchAsync(untilReady: false)));

            // node1 refuses each TLS stranger at the handshake, and plain TCP never gets through TLS.
            await Poll.UntilAsync(() => node1.Log.Contains("thumbprint", StringComparison.OrdinalIgnoreCase), Converge,
                "node1 logs that it refused a certificate");

            // Akka ends a node whose outbound TLS handshake failed (CoordinatedShutdown, exit code 79): a stranger may
            // stop, or keep trying. None ever gets in.
            var until = DateTime.UtcNow + Watch;
            while (DateTime.UtcNow < until)
            {
                var members = await MembersAsync(node1);
                Assert.Equal([node1.Address, node2.Address], members.Order(StringComparer.Ordinal));
                foreach (var stranger in strangers.Where(s => !s.HasExited))
                {
                    IReadOnlyList<string> seen;
                    try
                    {
                        seen = await MembersAsync(stranger);
                    }
                    catch (HttpRequestException)
                    {
                        continue; // stopping (its API closed before the process ended): it claims nothing
                    }
                    Assert.DoesNotContain(seen, m => m == node1.Address || m == node2.Address);
                    Assert.Empty(await UpMembersAsync(stranger));
                }
                await Task.Delay(500);
            }
            Assert.Contains("Welcome from", node2.Log); // what Akka logs when a join is accepted
            Assert.All(strangers, s => Assert.DoesNotContain("Welcome from", s.Log));
            Assert.False(node1.HasExited || node2.HasExited, "the cluster's nodes keep running");
        }
        finally
        {
            Directory.Delete(certs, recursive: true);
        }
    }

    [Fact]
    public async Task A_wrong_password_or_a_missing_file_stops_the_node_with_a_sentence_naming_the_option()
    {
        var certs = TestPaths.NewTempDir();
        try
        {
            var cert = await ClusterCertFiles.CreateAsync(Path.Combine(certs, "cluster"), "vmc-cluster");
            var wrong = Path.Combine(certs, "wrong.password");
            await File.WriteAllTextAsync(wrong, "not-the-password\n");

            var bad = await RunHostAsync("--cluster-cert", cert.Pfx, "--cluster-cert-password-file", wrong);
            Assert.Equal(2, bad.ExitCode);
            Assert.StartsWith($"error: --cluster-cert {cert.Pfx} cannot be read as PKCS#12 with the given password", bad.Err);
            Assert.DoesNotContain("   at ", bad.Err);

            var missing = await RunHostAsync("--cluster-cert", Path.Combine(certs, "none.pfx"));
            Assert.Equal(2, missing.ExitCode);
            Assert.StartsWith($"error: --cluster-cert file {Path.Combine(certs, "none.pfx")} does not exist", missing.Err);
        }
        finally
        {
            Directory.Delete(certs, recursive: true);
        }
    }

    /// <summary>Runs a node that should refuse to start; its data dir must not exist afterwards (nothing was changed).</summary>
    private static async Task<(int ExitCode, string Err)> RunHostAsync(params string[] args)
    {
        var dir = TestPaths.NewTempDir();
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = dir };
            foreach (var a in (string[])[TestPaths.HostDll, "--data-dir", Path.Combine(dir, "data"), "--vmm", "simulated", "--api", $"127.0.0.1:{Ports.Free()}", "--port", Ports.Free().ToString(), .. args])
                psi.ArgumentList.Add(a);
            using var host = System.Diagnostics.Process.Start(psi)!;
            var err = host.StandardError.ReadToEndAsync();
            var output = host.StandardOutput.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try { await host.WaitForExitAsync(deadline.Token); }
            catch (OperationCanceledException)
            {
                host.Kill(entireProcessTree: true);
                throw new TimeoutException($"the node did not stop on a bad --cluster-cert: {await output}");
            }
            Assert.False(Directory.Exists(Path.Combine(dir, "data")), "a node refused at start creates no data dir");
            return (host.ExitCode, await err);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<IReadOnlyList<string>> MembersAsync(NodeProcess node)
    {
        using var http = node.AdminHttp(TimeSpan.FromSeconds(5));
        var body = await http.GetFromJsonAsync<JsonElement>("/cluster/members");
        return [.. body.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("node").GetString()!)];
    }

    private static async Task<HashSet<string>> UpMembersAsync(NodeProcess node)
    {
        using var http = node.AdminHttp(TimeSpan.FromSeconds(5));
        try
        {
            var body = await http.GetFromJsonAsync<JsonElement>("/cluster/members");
            return [.. body.GetProperty("members").EnumerateArray()
                .Where(m => m.GetProperty("status").GetString() == "Up").Select(m => m.GetProperty("node").GetString()!)];
        }
        catch (HttpRequestException) { return []; }
        catch (TaskCanceledException) { return []; }
    }
}
