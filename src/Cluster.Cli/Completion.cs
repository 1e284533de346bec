namespace Cluster.Cli;

/// <summary>What the prompt can complete with names it must ask the node for.</summary>
internal enum NameKind { Domain, Server, Job }

/// <summary>The word to replace (from <see cref="Start"/> to the cursor) and what may replace it, sorted.</summary>
internal sealed record Completions(int Start, IReadOnlyList<string> Candidates)
{
    /// <summary>The longest text every candidate starts with (what Tab inserts when there are several).</summary>
    public string CommonPrefix =>
        Candidates.Count == 0 ? "" : Candidates.Aggregate((a, b) => a[..a.Zip(b).TakeWhile(p => p.First == p.Second).Count()]);
}

/// <summary>
/// Tab completion of the prompt, as pure code: given a line and a cursor, the candidates for the word under it:
/// palettes (and help, exit, quit), a palette's commands, a command's switches, a switch's choices, and the names
/// of domains, servers and jobs (from <paramref name="names"/>, which asks the node).
/// </summary>
internal static class Completion
{
    private static readonly string[] PromptWords = ["help", "exit", "quit"];

    public static Completions Complete(string line, int cursor, IReadOnlyList<PaletteSpec> palettes, Func<NameKind, IReadOnlyList<string>> names)
    {
        var before = line[..Math.Clamp(cursor, 0, line.Length)];
        var start = before.LastIndexOfAny([' ', '\t']) + 1;
        var word = before[start..];
        var words = before[..start].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
        if (words is ["vmc", ..]) words.RemoveAt(0);
        return new Completions(start, Candidates(words, word, palettes, names)
            .Where(c => c.StartsWith(word, StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal).ToList());
    }

    private static IEnumerable<string> Candidates(List<string> words, string word, IReadOnlyList<PaletteSpec> palettes,
        Func<NameKind, IReadOnlyList<string>> names)
    {
        if (words.Count == 0) return palettes.Select(p => p.Name).Concat(PromptWords);
        if (words[0] == "help")
        {
            return words.Count switch
            {
                1 => palettes.Select(p => p.Name),
                2 => Find(palettes, words[1])?.Commands.Select(c => c.Name) ?? [],
                _ => [],
            };
        }
        if (Find(palettes, words[0]) is not { } palette) return [];
        if (words.Count == 1 && !word.StartsWith('-')) return palette.Commands.Select(c => c.Name);
        var command = words.Count > 1 ? palette.Find(words[1]) : palette.DefaultCommand is { } d ? palette.Find(d) : null;
        if (command is null) return [];

        var switches = command.AllSwitches.Append(GlobalSwitches.Help).ToList();
        if (switches.FirstOrDefault(s => s.Name == words[^1]) is { TakesValue: true } pending)
            return pending.Choices ?? (ValueNames(pending) is { } kind ? names(kind) : []);
        if (word.StartsWith('-'))
            return switches.Where(s => s.Repeatable || !words.Contains(s.Name)).Select(s => s.Name);

        var given = Positionals(words.Skip(2).ToList(), switches);
        return given < command.Arguments.Count && ArgumentNames(palette, command) is { } argKind ? names(argKind) : [];
    }

    private static PaletteSpec? Find(IReadOnlyList<PaletteSpec> palettes, string name) => palettes.FirstOrDefault(p => p.Name == name);

    /// <summary>Positional arguments among the words after the command (a value switch eats the word after it).</summary>
    private static int Positionals(List<string> words, List<SwitchSpec> switches)
    {
        var count = 0;
        for (var i = 0; i < words.Count; i++)
        {
            if (!words[i].StartsWith('-')) count++;
            else if (!words[i].Contains('=') && switches.FirstOrDefault(s => s.Name == words[i]) is { TakesValue: true }) i++;
        }
        return count;
    }

    private static NameKind? ValueNames(SwitchSpec s) => s.Name is "--server" or "--to" ? NameKind.Server : null;

    /// <summary>The kind of name a command's argument is; null for a new name (domain create) or none we can list.</summary>
    private static NameKind? ArgumentNames(PaletteSpec palette, CommandSpec command) => (palette.Name, command.Name) switch
    {
        ("domain", "create") => null,
        ("domain", _) => NameKind.Domain,
        ("server", _) => NameKind.Server,
        ("job", _) => NameKind.Job,
        _ => null,
    };
}
