using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Cluster.Cli;

/// <summary>The tokens of one command, split into positionals and switches (not yet checked against a command).</summary>
internal sealed class Invocation
{
    public List<string> Positionals { get; } = [];

    /// <summary>Switch name → values in order (a flag has one null value per occurrence).</summary>
    public Dictionary<string, List<string?>> Switches { get; } = new(StringComparer.Ordinal);

    public bool Help { get; set; }

    public bool Has(string name) => Switches.ContainsKey(name);

    public string? Value(string name) => Switches.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> Values(string name) =>
        Switches.TryGetValue(name, out var v) ? v.Where(x => x is not null).Select(x => x!).ToList() : [];

    /// <summary>An integer switch value, or null when absent; a usage error when not an integer in range.</summary>
    public int? Int(string name, int min, string helpTopic)
    {
        var text = Value(name);
        if (text is null)
        {
            return null;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min)
        {
            throw new UsageException($"{name} needs a whole number {(min > 0 ? "greater than 0" : "of 0 or more")}, not '{text}'", helpTopic);
        }
        return n;
    }
}

internal static partial class CommandLine
{
    /// <summary>
    /// Switches that take a value in every command that has them, so a line can be split before its command is known
    /// (a name that is a flag somewhere, like domain create's --ha beside pool create's --ha on|off, is not one).
    /// </summary>
    public static IReadOnlySet<string> ValueSwitches(IEnumerable<PaletteSpec> palettes)
    {
        var all = palettes.SelectMany(p => p.Commands).SelectMany(c => c.AllSwitches).ToList();
        var flags = all.Where(s => !s.TakesValue).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return all.Where(s => s.TakesValue && !flags.Contains(s.Name)).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The switches that take a value in this command.</summary>
    public static IReadOnlySet<string> ValueSwitches(CommandSpec command) =>
        command.AllSwitches.Where(s => s.TakesValue).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Splits tokens into positionals and switches. <c>--name value</c>, <c>--name=value</c>, <c>-h</c>/<c>--help</c>
    /// anywhere; <c>--</c> ends the switches.
    /// </summary>
    public static Invocation Parse(IReadOnlyList<string> tokens, IReadOnlySet<string> valueSwitches)
    {
        var inv = new Invocation();
        var switchesEnded = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (switchesEnded || token.Length < 2 || token[0] != '-')
            {
                inv.Positionals.Add(token);
                continue;
            }
            if (token == "--")
            {
                switchesEnded = true;
                continue;
            }
            if (token is "-h" or "--help")
            {
                inv.Help = true;
                continue;
            }

            string name;
            string? value = null;
            var eq = token.IndexOf('=', StringComparison.Ordinal);
            if (token.StartsWith("--", StringComparison.Ordinal) && eq > 2)
            {
                name = token[..eq];
                value = token[(eq + 1)..];
            }
            else
            {
                name = token;
                if (valueSwitches.Contains(name))
                {
                    if (i + 1 >= tokens.Count)
                    {
                        throw new UsageException($"switch {name} needs a value");
                    }
                    value = tokens[++i];
                }
            }
            if (!inv.Switches.TryGetValue(name, out var list))
            {
                inv.Switches[name] = list = [];
            }
            list.Add(value);
        }
        return inv;
    }

    /// <summary>True when the token is <c>host:port</c> or <c>[v6]:port</c> with a port of 1..65535.</summary>
    public static bool IsAddress(string token)
    {
        var m = AddressPattern().Match(token);
        return m.Success
            && int.TryParse(m.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535;
    }

    [GeneratedRegex(@"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?):(?<port>[0-9]{1,5})$")]
    private static partial Regex AddressPattern();

    /// <summary>Splits a prompt line into tokens: whitespace separates; single or double quotes group; backslash escapes.</summary>
    public static List<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var inToken = false;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else if (c == '\\' && q == '"' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
                {
                    current.Append(line[++i]);
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inToken)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    inToken = false;
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inToken = true;
            }
            else if (c == '\\' && i + 1 < line.Length)
            {
                current.Append(line[++i]);
                inToken = true;
            }
            else
            {
                current.Append(c);
                inToken = true;
            }
        }
        if (quote is not null)
        {
            throw new UsageException("unclosed quote");
        }
        if (inToken)
        {
            tokens.Add(current.ToString());
        }
        return tokens;
    }
}
