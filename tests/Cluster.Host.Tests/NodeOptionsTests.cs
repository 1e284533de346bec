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

    [Theory]
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
