namespace Cluster.Host.Tests;

public sealed class NodeOptionsTests
{
    private static string? NoEnv(string _) => null;

    [Fact]
    public void Defaults_form_a_single_node_cluster_on_loopback_with_sqlite_in_the_data_dir()
    {
        var (o, error) = NodeOptions.Parse([], NoEnv);
        Assert.Null(error);
        Assert.Equal("127.0.0.1", o!.Hostname);
        Assert.Equal(("127.0.0.1", 9110), (o.ApiHost, o.ApiPort));
        Assert.Empty(o.Seeds);
        Assert.Equal(Path.GetFullPath("data"), o.DataDir);
        var db = DatabaseSetup.For(o);
        Assert.Equal("SQLite.MS", db.ProviderName);
        Assert.Contains(Path.Combine(o.DataDir, "vmc.db"), db.ConnectionString);
        Assert.Equal(Actors.Servers.Load.LoadSource.Host, o.LoadSource);
    }

    [Fact]
    public void Load_source_vmms_measures_only_this_nodes_vmms()
    {
        var (o, error) = NodeOptions.Parse(["--load-source", "vmms"], NoEnv);
        Assert.Null(error);
        Assert.Equal(Actors.Servers.Load.LoadSource.Vmms, o!.LoadSource);
    }

    [Fact]
    public void Flags_win_over_the_environment_and_seeds_become_akka_addresses()
    {
        var env = new Dictionary<string, string> { ["VMC_NAME"] = "envname", ["VMC_PORT"] = "5000", ["VMC_SEEDS"] = "127.0.0.1:4054" };
        var (o, error) = NodeOptions.Parse(["--name", "flagname", "--seed", "127.0.0.1:4055", "--seed", "akka.tcp://vmc@127.0.0.1:4056"], env.GetValueOrDefault);
        Assert.Null(error);
        Assert.Equal("flagname", o!.Name);
        Assert.Equal(5000, o.Port);
        Assert.Equal(["akka.tcp://vmc@127.0.0.1:4055", "akka.tcp://vmc@127.0.0.1:4056"], o.Seeds);
        Assert.Equal("PostgreSQL.15", DatabaseSetup.For(o with { Db = "Host=127.0.0.1;Database=vmc" }).ProviderName);
    }

    [Fact]
    public void A_cluster_certificate_makes_the_node_and_its_seeds_speak_tls_and_the_password_comes_from_a_file_or_the_environment()
    {
        var dir = Directory.CreateTempSubdirectory("vmc-opt").FullName;
        try
        {
            var pfx = Path.Combine(dir, "cluster.pfx");
            var passwordFile = Path.Combine(dir, "cluster.password");
            File.WriteAllText(pfx, "");
            File.WriteAllText(passwordFile, "s3cret\n");

            var (o, error) = NodeOptions.Parse(["--cluster-cert", pfx, "--cluster-cert-password-file", passwordFile, "--seed", "127.0.0.1:4055"], NoEnv);
            Assert.Null(error);
            Assert.Equal(("akka.ssl.tcp://vmc@127.0.0.1:4053", "s3cret"), (o!.SelfAddress, o.ClusterCertPassword?.Value));
            Assert.DoesNotContain("s3cret", o.ToString());
            Assert.Equal(["akka.ssl.tcp://vmc@127.0.0.1:4055"], o.Seeds);

            var env = new Dictionary<string, string> { ["VMC_CLUSTER_CERT"] = pfx, ["VMC_CLUSTER_CERT_PASSWORD"] = "from-env" };
            (o, _) = NodeOptions.Parse([], env.GetValueOrDefault);
            Assert.Equal((pfx, "from-env"), (o!.ClusterCert, o.ClusterCertPassword?.Value));

            (o, error) = NodeOptions.Parse(["--cluster-cert", pfx, "--seed", "akka.tcp://vmc@127.0.0.1:4055"], NoEnv);
            Assert.Null(o);
            Assert.Equal("--seed 'akka.tcp://vmc@127.0.0.1:4055' is not an akka.ssl.tcp:// address (--cluster-cert: TLS)", error);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--cluster-cert", "/no/such.pfx", "--cluster-cert")]
    [InlineData("--cluster-cert-password-file", "/etc/hostname", "--cluster-cert-password-file needs --cluster-cert")]
    [InlineData("--port", "http", "--port")]
    [InlineData("--port", "70000", "--port")]
    [InlineData("--api", "9110", "--api")]
    [InlineData("--seed", "nowhere", "--seed")]
    [InlineData("--name", "bad/name", "--name")]
    [InlineData("--vmm", "xen", "--vmm")]
    [InlineData("--config", "/no/such.hocon", "--config")]
    [InlineData("--load-source", "guess", "--load-source")]
    [InlineData("--colour", "blue", "--colour")]
    public void Bad_options_are_refused_naming_the_option(string flag, string value, string named)
    {
        var (o, error) = NodeOptions.Parse([flag, value], NoEnv);
        Assert.Null(o);
        Assert.Contains(named, error);
    }
}
