namespace Cluster.Cli;

/// <summary>
/// The prompt's history: the last lines typed, oldest first, kept in a file (~/.vmc_history, owner-only) across
/// sessions. A line with a --token secret is used in this session but never written to the file.
/// </summary>
internal sealed class PromptHistory
{
    public const int Limit = 500;
    private readonly string? _file;
    private readonly List<string> _lines = [];

    public PromptHistory(string? file)
    {
        _file = file;
        if (file is null) return;
        try
        {
            if (File.Exists(file)) _lines.AddRange(File.ReadLines(file).Where(l => l.Length > 0).TakeLast(Limit));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // an unreadable history is an empty one: the prompt still works
        }
    }

    public IReadOnlyList<string> Lines => _lines;

    /// <summary>Adds a line typed at the prompt (not a blank one, nor the same as the one before it).</summary>
    public void Add(string line)
    {
        line = line.Trim();
        if (line.Length == 0 || (_lines.Count > 0 && _lines[^1] == line)) return;
        _lines.Add(line);
        if (_lines.Count > Limit) _lines.RemoveAt(0);
        if (_file is null || HasSecret(line)) return;
        try
        {
            File.WriteAllLines(_file, _lines.Where(l => !HasSecret(l)));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the history is a convenience: a full disk or a read-only home does not stop the prompt
        }
    }

    private static bool HasSecret(string line) => SecretSwitch.IsMatch(line);

    private static readonly System.Text.RegularExpressions.Regex SecretSwitch = new(@"(^|\s)--token(=|\s|$)");
}
