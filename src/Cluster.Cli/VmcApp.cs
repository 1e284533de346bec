using Cluster.Cli.Palettes;

namespace Cluster.Cli;

/// <summary>
/// vmc: <c>vmc [host:port] &lt;palette&gt; &lt;command&gt; [args] [switches]</c>, or a prompt when no palette is given.
/// Returns the exit code; never throws for anything a user or a node can cause.
/// </summary>
public sealed class VmcApp(VmcOptions? options = null)
{
    internal static readonly IReadOnlyList<PaletteSpec> Palettes =
        [ClusterPalette.Spec, ClusterShardingPalette.Spec, ServerPalette.Spec, DomainPalette.Spec, JobPalette.Spec, AuditPalette.Spec,
            TokenPalette.Spec, PoolPalette.Spec];

    private static readonly IReadOnlySet<string> ValueSwitches = CommandLine.ValueSwitches(Palettes);

    private readonly VmcOptions _options = options ?? new VmcOptions();

    public async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            string address;
            IReadOnlyList<string> rest = args;
            if (args.Length > 0 && CommandLine.IsAddress(args[0]))
            {
                address = args[0];
                rest = args[1..];
            }
            else if (args.Length > 0 && args[0].Contains(':', StringComparison.Ordinal) && !args[0].StartsWith('-'))
            {
                throw new UsageException($"'{args[0]}' is not an address; expected host:port, e.g. {VmcOptions.DefaultAddress}", "");
            }
            else
            {
                address = DefaultAddress();
            }

            if (rest.Count == 0)
            {
                return await new Prompt(this, address, _options).RunAsync(stdout, stderr).ConfigureAwait(false);
            }
            return await ExecuteAsync(address, rest, stdout, stderr).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            return ReportUsage(ex, stderr);
        }
    }

    /// <summary>The address from VMC_ADDRESS, else 127.0.0.1:9110.</summary>
    internal string DefaultAddress()
    {
        var env = _options.GetEnvironment(VmcOptions.AddressVariable);
        if (string.IsNullOrWhiteSpace(env))
        {
            return VmcOptions.DefaultAddress;
        }
        env = env.Trim();
        return CommandLine.IsAddress(env)
            ? env
            : throw new UsageException($"{VmcOptions.AddressVariable}='{env}' is not an address; expected host:port", "");
    }

    /// <summary>Runs one command (tokens without the address) and reports every failure as text and an exit code.</summary>
    internal async Task<int> ExecuteAsync(string address, IReadOnlyList<string> tokens, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return await DispatchAsync(address, tokens, stdout, stderr).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            // errors found before the palette was known still point at the palette's help when there is one
            var topic = ex.HelpTopic ?? (tokens.FirstOrDefault(t => FindPalette(t) is not null) ?? "");
            return ReportUsage(new UsageException(ex.Message, topic), stderr);
        }
        catch (UnreachableException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (ApiException ex)
        {
            stderr.WriteLine($"error: {OneLine(ex.Message)}");
            return ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            stderr.WriteLine($"error: {OneLine(ex.Message)}");
            return ExitCodes.Failed;
        }
    }

    private async Task<int> DispatchAsync(string address, IReadOnlyList<string> tokens, TextWriter stdout, TextWriter stderr)
    {
        var inv = CommandLine.Parse(tokens, ValueSwitches);
        var pos = inv.Positionals;

        if (pos.Count == 0)
        {
            if (inv.Help)
            {
                stdout.Write(Help.Overview(Palettes));
                return ExitCodes.Ok;
            }
            throw new UsageException("missing palette", "");
        }

        if (pos[0] == "help")
        {
            return WriteHelp(pos.Skip(1).ToList(), stdout);
        }

        var palette = FindPalette(pos[0]) ?? throw new UsageException($"unknown palette '{pos[0]}'", "");
        if (pos.Count < 2 && (inv.Help || palette.DefaultCommand is null))
        {
            if (inv.Help)
            {
                stdout.Write(Help.Palette(palette));
                return ExitCodes.Ok;
            }
            throw new UsageException($"missing command for palette '{palette.Name}'", palette.Name);
        }
        var command = palette.Find(pos.Count < 2 ? palette.DefaultCommand! : pos[1])
            ?? (inv.Help ? null : throw new UsageException($"unknown command '{pos[1]}' in palette '{palette.Name}'", palette.Name));
        if (command is null || inv.Help)
        {
            stdout.Write(command is null ? Help.Palette(palette) : Help.Command(palette, command));
            return ExitCodes.Ok;
        }

        var arguments = Validate(palette, command, inv);
        using var api = new ApiClient(address, _options, TokenSource.Resolve(inv, _options, palette.Name));
        var ctx = new CommandContext(palette, command, inv, arguments, api, _options, stdout, stderr);
        return await command.Run(ctx).ConfigureAwait(false);
    }

    /// <summary>Checks switches and arguments against the command; returns the arguments by name.</summary>
    private static Dictionary<string, string> Validate(PaletteSpec palette, CommandSpec command, Invocation inv)
    {
        var what = $"'{palette.Name} {command.Name}'";
        var known = command.AllSwitches.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var (name, values) in inv.Switches)
        {
            if (!known.TryGetValue(name, out var spec))
            {
                throw new UsageException($"unknown switch '{name}' for {what}", palette.Name);
            }
            if (!spec.TakesValue && values.Any(v => v is not null))
            {
                throw new UsageException($"switch {name} takes no value", palette.Name);
            }
            if (!spec.Repeatable && values.Count > 1)
            {
                throw new UsageException($"switch {name} is given more than once", palette.Name);
            }
            if (spec.Min is { } min)
            {
                inv.Int(name, min, palette.Name);
            }
            if (spec.Choices is { } choices && values.FirstOrDefault(v => !choices.Contains(v ?? "", StringComparer.Ordinal)) is { } bad)
            {
                throw new UsageException($"{name} must be one of {string.Join(", ", choices)}, not '{bad}'", palette.Name);
            }
        }
        foreach (var spec in command.AllSwitches.Where(s => s.Required))
        {
            if (!inv.Has(spec.Name))
            {
                throw new UsageException($"missing switch {spec.Name} {spec.Value} for {what}", palette.Name);
            }
        }

        var args = inv.Positionals.Skip(2).ToList(); // none when the palette's default command runs
        if (args.Count < command.Arguments.Count)
        {
            throw new UsageException($"missing argument {command.Arguments[args.Count]} for {what}", palette.Name);
        }
        if (args.Count > command.Arguments.Count)
        {
            throw new UsageException($"unexpected argument '{args[command.Arguments.Count]}' for {what}", palette.Name);
        }
        return command.Arguments.Zip(args).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    }

    internal static int WriteHelp(IReadOnlyList<string> topic, TextWriter stdout)
    {
        if (topic.Count == 0)
        {
            stdout.Write(Help.Overview(Palettes));
            return ExitCodes.Ok;
        }
        var palette = FindPalette(topic[0]) ?? throw new UsageException($"unknown palette '{topic[0]}'", "");
        if (topic.Count == 1)
        {
            stdout.Write(Help.Palette(palette));
            return ExitCodes.Ok;
        }
        var command = palette.Find(topic[1]) ?? throw new UsageException($"unknown command '{topic[1]}' in palette '{palette.Name}'", palette.Name);
        stdout.Write(Help.Command(palette, command));
        return ExitCodes.Ok;
    }

    private static PaletteSpec? FindPalette(string name) =>
        Palettes.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    private static int ReportUsage(UsageException ex, TextWriter stderr)
    {
        stderr.WriteLine($"error: {ex.Message}");
        if (ex.HelpTopic is { } topic)
        {
            stderr.WriteLine(topic.Length == 0 ? "see 'vmc help'" : $"see 'vmc help {topic}'");
        }
        return ExitCodes.Usage;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
