using System.Text;

namespace Cluster.Cli;

/// <summary>Usage text, built from the palette specs so it never drifts from what the parser accepts.</summary>
internal static class Help
{
    private const int Width = 100;

    public static string Overview(IReadOnlyList<PaletteSpec> palettes)
    {
        var sb = new StringBuilder();
        sb.AppendLine("vmc - the operator's client of the VM cluster");
        sb.AppendLine();
        sb.AppendLine("Usage:");
        sb.AppendLine("  vmc [host:port] <palette> <command> [arguments] [switches]");
        sb.AppendLine("  vmc [host:port]                  open a prompt: Tab completes, Up/Down recall ~/.vmc_history");
        sb.AppendLine("  vmc help [palette [command]]     show this help, the commands of a palette, or one command");
        sb.AppendLine();
        sb.AppendLine($"host:port is a node's HTTP API; default {VmcOptions.DefaultAddress} ({VmcOptions.AddressVariable} overrides it).");
        sb.AppendLine($"Every call needs an API token: --token, --token-file or {VmcOptions.TokenVariable} (a node's first start writes DATA_DIR/admin.token).");
        sb.AppendLine();
        sb.AppendLine("Palettes:");
        var width = palettes.Max(p => p.Name.Length) + 2;
        foreach (var p in palettes)
        {
            sb.AppendLine(Wrap($"{p.Description}: {string.Join(", ", p.Commands.Select(c => c.Name))}",
                "  " + p.Name.PadRight(width), "  " + new string(' ', width)));
        }
        sb.AppendLine();
        AppendGlobalSwitches(sb);
        sb.AppendLine();
        sb.AppendLine("Exit codes: 0 success, 1 refused or failed by the node, 2 usage error, 3 node unreachable.");
        sb.AppendLine("See 'vmc help <palette>' for the commands of a palette.");
        return sb.ToString();
    }

    public static string Palette(PaletteSpec palette)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"vmc {palette.Name} - {palette.Description}");
        sb.AppendLine();
        sb.AppendLine($"Usage: vmc [host:port] {palette.Name} <command> [arguments] [switches]");
        if (palette.DefaultCommand is { } fallback)
        {
            sb.AppendLine($"       vmc [host:port] {palette.Name} [switches]   (runs '{palette.Name} {fallback}')");
        }
        sb.AppendLine();
        sb.AppendLine("Commands:");
        foreach (var c in palette.Commands)
        {
            AppendCommand(sb, c, c.Switches);
        }
        var jobCommands = palette.Commands.Where(c => c.StartsJob).Select(c => c.Name).ToList();
        sb.AppendLine();
        if (jobCommands.Count > 0)
        {
            sb.AppendLine(Wrap($"Commands that start a job ({string.Join(", ", jobCommands)}) also take:", "", ""));
            AppendSwitches(sb, GlobalSwitches.JobSwitches, "  ");
        }
        sb.AppendLine("Every command takes --json (the API's JSON instead of tables), --token/--token-file and --help.");
        return sb.ToString();
    }

    public static string Command(PaletteSpec palette, CommandSpec command)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Usage:");
        AppendCommand(sb, command, command.AllSwitches.ToList(), prefix: $"vmc [host:port] {palette.Name} ");
        return sb.ToString();
    }

    private static IEnumerable<string> Synopsis(CommandSpec c, IEnumerable<SwitchSpec> switches) =>
        new[] { c.Name }.Concat(c.Arguments).Concat(switches.Select(s => s.Synopsis));

    private static void AppendCommand(StringBuilder sb, CommandSpec c, IReadOnlyList<SwitchSpec> switches, string prefix = "")
    {
        var hang = new string(' ', prefix.Length == 0 ? 2 + c.Name.Length + 1 : 6);
        sb.AppendLine(Wrap(Synopsis(c, switches), "  " + prefix, hang));
        sb.AppendLine(Wrap(c.Description, "      ", "      "));
        AppendSwitches(sb, switches, "      ");
    }

    private static void AppendSwitches(StringBuilder sb, IEnumerable<SwitchSpec> switches, string indent)
    {
        var list = switches.ToList();
        if (list.Count == 0)
        {
            return;
        }
        var width = list.Max(s => Head(s).Length) + 2;
        foreach (var s in list)
        {
            sb.AppendLine(Wrap(s.Description, indent + Head(s).PadRight(width), indent + new string(' ', width)));
        }
    }

    private static void AppendGlobalSwitches(StringBuilder sb)
    {
        sb.AppendLine("Switches:");
        var rows = new (string Head, string Text)[]
        {
            (GlobalSwitches.Json.Name, GlobalSwitches.Json.Description),
            (GlobalSwitches.Wait.Name, GlobalSwitches.Wait.Description + " (commands that start a job)"),
            (Head(GlobalSwitches.WaitTimeout), GlobalSwitches.WaitTimeout.Description),
            (Head(GlobalSwitches.Token), GlobalSwitches.Token.Description),
            (Head(GlobalSwitches.TokenFile), GlobalSwitches.TokenFile.Description),
            ("--help, -h", "show help for vmc, a palette or a command"),
        };
        var width = rows.Max(r => r.Head.Length) + 2;
        foreach (var (head, text) in rows)
        {
            sb.AppendLine(Wrap(text, "  " + head.PadRight(width), "  " + new string(' ', width)));
        }
    }

    private static string Head(SwitchSpec s) => s.TakesValue ? $"{s.Name} {s.Value}" : s.Name;

    /// <summary>Wraps words at <see cref="Width"/> columns; the first line gets <paramref name="first"/>, the rest <paramref name="rest"/>.</summary>
    private static string Wrap(string text, string first, string rest) =>
        Wrap(text.Split(' ', StringSplitOptions.RemoveEmptyEntries), first, rest);

    /// <summary>Wraps units (words, or whole switch synopses that must not break) like <see cref="Wrap(string, string, string)"/>.</summary>
    private static string Wrap(IEnumerable<string> units, string first, string rest)
    {
        var sb = new StringBuilder();
        var line = new StringBuilder(first);
        var atStart = true;
        foreach (var word in units)
        {
            if (!atStart && line.Length + 1 + word.Length > Width)
            {
                sb.AppendLine(line.ToString());
                line.Clear().Append(rest);
                atStart = true;
            }
            if (!atStart)
            {
                line.Append(' ');
            }
            line.Append(word);
            atStart = false;
        }
        sb.Append(line);
        return sb.ToString();
    }
}
