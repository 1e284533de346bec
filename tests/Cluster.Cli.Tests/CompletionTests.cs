namespace Cluster.Cli.Tests;

/// <summary>The prompt's Tab completion as pure code: a line and a cursor give the word to replace and its candidates.</summary>
public class CompletionTests
{
    private readonly List<NameKind> _asked = [];

    private IReadOnlyList<string> Names(NameKind kind)
    {
        _asked.Add(kind);
        return kind switch
        {
            NameKind.Domain => ["web1", "web2", "db1"],
            NameKind.Server => ["node1", "node2"],
            _ => ["j-0a1b2c3d4e"],
        };
    }

    private Completions At(string line, int? cursor = null) => Completion.Complete(line, cursor ?? line.Length, VmcApp.Palettes, Names);

    [Fact]
    public void The_first_word_is_a_palette_or_a_prompt_word()
    {
        Assert.Equal(["audit", "cluster", "cluster-sharding", "domain", "exit", "group", "help", "job", "pool", "quit", "server", "token"], At("").Candidates);
        Assert.Equal(["cluster", "cluster-sharding"], At("clu").Candidates);
        Assert.Equal("cluster", At("clu").CommonPrefix);
        Assert.Equal(["domain"], At("vmc do").Candidates);
        Assert.Empty(_asked);
    }

    [Fact]
    public void The_second_word_is_a_command_of_the_palette()
    {
        var c = At("cluster l");
        Assert.Equal(8, c.Start);
        Assert.Equal(["leader", "leave"], c.Candidates);
        Assert.Equal("lea", c.CommonPrefix);
        Assert.Equal(["tail"], At("cluster t").Candidates);
        Assert.Empty(At("nosuch c").Candidates);
    }

    [Fact]
    public void Switches_complete_after_a_dash_and_a_used_one_is_not_offered_again()
    {
        Assert.Equal(["--server"], At("domain start web1 --s").Candidates);
        Assert.Equal(["--help", "--json", "--server", "--token", "--token-file", "--wait", "--wait-timeout"], At("domain start web1 -").Candidates);
        Assert.DoesNotContain("--wait", At("domain start web1 --wait -").Candidates);
        Assert.Equal(["--disk"], At("domain create x --disk 1G --di").Candidates); // repeatable
    }

    [Fact]
    public void A_switch_value_completes_from_its_choices_or_the_server_names()
    {
        Assert.Equal(["on-crash"], At("domain create x --vcpus 1 --memory 64 --restart on").Candidates);
        Assert.Equal(["node1", "node2"], At("domain migrate web1 --to ").Candidates);
        Assert.Equal(["node2"], At("domain start web1 --server node2").Candidates);
        Assert.Equal([NameKind.Server, NameKind.Server], _asked);
    }

    [Fact]
    public void Arguments_complete_with_domain_server_and_job_names_from_the_node()
    {
        Assert.Equal(["web1", "web2"], At("domain stop we").Candidates);
        Assert.Equal(["node1", "node2"], At("server show ").Candidates);
        Assert.Equal(["j-0a1b2c3d4e"], At("job follow j").Candidates);
        Assert.Equal([NameKind.Domain, NameKind.Server, NameKind.Job], _asked);

        Assert.Empty(At("domain create w").Candidates); // a new name: nothing to offer
        Assert.Empty(At("domain stop web1 w").Candidates); // the one argument is given
        Assert.Empty(At("cluster show x").Candidates);
    }

    [Fact]
    public void Help_completes_palettes_then_their_commands()
    {
        Assert.Equal(["domain"], At("help do").Candidates);
        Assert.Equal(["follow"], At("help job f").Candidates);
        Assert.Empty(At("help job follow x").Candidates);
    }

    [Fact]
    public void The_cursor_decides_the_word_not_the_end_of_the_line()
    {
        var c = At("domain st web1", cursor: 9);
        Assert.Equal(7, c.Start);
        Assert.Equal(["start", "stop"], c.Candidates);
    }
}
