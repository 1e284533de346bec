using System.Text.Json;

namespace Cluster.Cli;

/// <summary>What a command gets when it runs: its parsed line, the API client and the writers.</summary>
internal sealed class CommandContext(
    PaletteSpec palette,
    CommandSpec command,
    Invocation invocation,
    IReadOnlyDictionary<string, IReadOnlyList<string>> arguments,
    ApiClient api,
    VmcOptions options,
    TextWriter stdout,
    TextWriter stderr)
{
    public PaletteSpec Palette { get; } = palette;
    public CommandSpec Command { get; } = command;
    public Invocation Invocation { get; } = invocation;
    public ApiClient Api { get; } = api;
    public VmcOptions Options { get; } = options;
    public TextWriter Out { get; } = stdout;
    public TextWriter Err { get; } = stderr;

    public bool Json => Invocation.Has(GlobalSwitches.Json.Name);

    /// <summary>A positional argument by its name in the command's spec (e.g. NAME).</summary>
    public string Arg(string name) => arguments[name][0];

    /// <summary>Every value of a last argument named <c>X...</c> (one at least).</summary>
    public IReadOnlyList<string> Args(string name) => arguments[name];

    public UsageException Usage(string message) => new(message, Palette.Name);

    public void WriteJson(JsonElement element) => Out.WriteLine(Cluster.Cli.Json.Pretty(element));
}
