namespace Cluster.Cli;

/// <summary>
/// A switch a command accepts. <see cref="Value"/> names its value; null means a flag. <see cref="Min"/> makes the
/// value a whole number of at least Min; <see cref="Choices"/> limits it to a set of words. Both are checked before
/// the command runs, so a bad value never reaches the node.
/// </summary>
internal sealed record SwitchSpec(
    string Name,
    string? Value,
    string Description,
    bool Required = false,
    bool Repeatable = false,
    int? Min = null,
    IReadOnlyList<string>? Choices = null)
{
    public bool TakesValue => Value is not null;

    public string Synopsis
    {
        get
        {
            var core = TakesValue ? $"{Name} {Value}" : Name;
            return Required ? core : Repeatable ? $"[{core}]..." : $"[{core}]";
        }
    }
}

/// <summary>One command of a palette: its arguments, its switches and what runs it.</summary>
internal sealed record CommandSpec(
    string Name,
    string Description,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<SwitchSpec> Switches,
    Func<CommandContext, Task<int>> Run,
    bool StartsJob = false)
{
    /// <summary>Every switch the command accepts, its own first, then --wait/--wait-timeout, --json and the token's.</summary>
    public IEnumerable<SwitchSpec> AllSwitches =>
        Switches.Concat(StartsJob ? GlobalSwitches.JobSwitches : []).Append(GlobalSwitches.Json).Concat(GlobalSwitches.TokenSwitches);
}

/// <summary>A palette of commands. <see cref="DefaultCommand"/> runs when no command is named (<c>vmc audit --since 2h</c>).</summary>
internal sealed record PaletteSpec(string Name, string Description, IReadOnlyList<CommandSpec> Commands, string? DefaultCommand = null)
{
    public CommandSpec? Find(string command) =>
        Commands.FirstOrDefault(c => string.Equals(c.Name, command, StringComparison.Ordinal));
}

internal static class GlobalSwitches
{
    public const int DefaultWaitSeconds = 120;

    public static readonly SwitchSpec Json = new("--json", null, "print the API's JSON (pretty-printed) instead of tables");
    public static readonly SwitchSpec Wait = new("--wait", null, "follow the job until it succeeds or fails");
    public static readonly SwitchSpec WaitTimeout = new("--wait-timeout", "S",
        $"stop waiting after S seconds (default {DefaultWaitSeconds}; implies --wait)", Min: 1);
    public static readonly SwitchSpec Help = new("--help", null, "show help (also -h)");

    public static readonly SwitchSpec Token = new("--token", "TOKEN", $"the API token (default: ${VmcOptions.TokenVariable})");
    public static readonly SwitchSpec TokenFile = new("--token-file", "FILE", "read the API token from FILE (e.g. DATA_DIR/admin.token)");

    public static readonly IReadOnlyList<SwitchSpec> JobSwitches = [Wait, WaitTimeout];
    public static readonly IReadOnlyList<SwitchSpec> TokenSwitches = [Token, TokenFile];
}
