using System.Text;

namespace Cluster.Cli;

/// <summary>
/// Reads one line at a terminal, key by key: arrows, Home/End (Ctrl-A/E), Backspace/Delete edit; Up/Down walk the
/// history; Tab completes (one candidate: inserted; several: their common start, or listed under the line); Ctrl-C
/// drops the line; Ctrl-D on an empty line is the end of input. Redraws with ANSI escapes.
/// </summary>
internal sealed class LineEditor(Func<ConsoleKeyInfo> readKey, TextWriter output, PromptHistory history,
    Func<string, int, Completions> complete)
{
    private readonly StringBuilder _line = new();
    private int _cursor;

    /// <summary>The line typed after <paramref name="prompt"/>, or null at the end of input.</summary>
    public string? ReadLine(string prompt)
    {
        _line.Clear();
        _cursor = 0;
        var browsing = history.Lines.Count; // the history entry shown; Count is the line being typed
        var typed = "";
        Redraw(prompt);
        while (true)
        {
            var key = readKey();
            var control = key.Modifiers.HasFlag(ConsoleModifiers.Control);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    output.WriteLine();
                    return _line.ToString();
                case ConsoleKey.D when control:
                    if (_line.Length > 0) break;
                    output.WriteLine();
                    return null;
                case ConsoleKey.C when control:
                    output.WriteLine("^C");
                    _line.Clear();
                    _cursor = 0;
                    break;
                case ConsoleKey.Backspace when _cursor > 0:
                    _line.Remove(--_cursor, 1);
                    break;
                case ConsoleKey.Delete when _cursor < _line.Length:
                    _line.Remove(_cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when _cursor > 0:
                    _cursor--;
                    break;
                case ConsoleKey.RightArrow when _cursor < _line.Length:
                    _cursor++;
                    break;
                case ConsoleKey.Home:
                case ConsoleKey.A when control:
                    _cursor = 0;
                    break;
                case ConsoleKey.End:
                case ConsoleKey.E when control:
                    _cursor = _line.Length;
                    break;
                case ConsoleKey.UpArrow when browsing > 0:
                    if (browsing == history.Lines.Count) typed = _line.ToString();
                    Replace(history.Lines[--browsing]);
                    break;
                case ConsoleKey.DownArrow when browsing < history.Lines.Count:
                    browsing++;
                    Replace(browsing == history.Lines.Count ? typed : history.Lines[browsing]);
                    break;
                case ConsoleKey.Tab:
                    Complete();
                    break;
                default:
                    if (key.KeyChar >= ' ' && !control) _line.Insert(_cursor++, key.KeyChar);
                    break;
            }
            Redraw(prompt);
        }
    }

    private void Replace(string text)
    {
        _line.Clear().Append(text);
        _cursor = text.Length;
    }

    private void Complete()
    {
        var completions = complete(_line.ToString(), _cursor);
        var word = _line.ToString(completions.Start, _cursor - completions.Start);
        var insert = completions.Candidates.Count == 1 ? completions.Candidates[0] + " " : completions.CommonPrefix;
        if (insert.Length > word.Length)
        {
            _line.Remove(completions.Start, word.Length).Insert(completions.Start, insert);
            _cursor = completions.Start + insert.Length;
        }
        else if (completions.Candidates.Count > 1)
        {
            output.WriteLine();
            output.WriteLine(string.Join("  ", completions.Candidates));
        }
    }

    private void Redraw(string prompt)
    {
        output.Write($"\r{prompt}{_line}\u001b[K");
        var back = _line.Length - _cursor;
        if (back > 0) output.Write($"\u001b[{back}D");
        output.Flush();
    }
}
