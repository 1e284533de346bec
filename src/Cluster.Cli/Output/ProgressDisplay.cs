using System.Globalization;
using System.Text.Json;

namespace Cluster.Cli.Output;

/// <summary>
/// A long job's progress ({done, total, unit, message}): on a terminal one bar redrawn in place, otherwise a plain
/// line each time the whole percent or the message changes (logs and pipes get a few lines, not hundreds).
/// </summary>
internal sealed class ProgressDisplay(TextWriter output, bool terminal)
{
    private const int BarWidth = 30;
    private (long Percent, string? Message)? _lastShown;
    private int _drawnLength;

    public void Show(JsonElement progress)
    {
        var (done, total) = (progress.Long("done") ?? 0, progress.Long("total") ?? 0);
        var message = progress.Str("message");
        var shown = (Percent(done, total), message);
        if (shown == _lastShown && !terminal) return;
        _lastShown = shown;
        var text = Render(done, total, progress.Str("unit") ?? "", message);
        if (terminal)
        {
            output.Write("\r" + text.PadRight(_drawnLength));
            _drawnLength = text.Length;
        }
        else
        {
            output.WriteLine(text);
        }
        output.Flush();
    }

    /// <summary>Ends the bar's line on a terminal, so what follows starts on a line of its own.</summary>
    public void End()
    {
        if (terminal && _drawnLength > 0) output.WriteLine();
        _drawnLength = 0;
    }

    /// <summary><c>[#########---------------------]  30%  300M of 1G  active</c>; counts other than bytes as <c>3 of 5 steps</c>.</summary>
    public static string Render(long done, long total, string unit, string? message)
    {
        var percent = Percent(done, total);
        var filled = (int)(percent * BarWidth / 100);
        var amount = unit == "bytes"
            ? $"{Format.Size(done) ?? "0"} of {Format.Size(total) ?? "0"}"
            : $"{Json.Invariant(done)} of {Json.Invariant(total)} {unit}".TrimEnd();
        var text = $"[{new string('#', filled)}{new string('-', BarWidth - filled)}] {percent.ToString(CultureInfo.InvariantCulture),3}%  {amount}";
        return string.IsNullOrEmpty(message) ? text : $"{text}  {message}";
    }

    private static long Percent(long done, long total) => total <= 0 ? 0 : Math.Clamp(done * 100 / total, 0, 100);
}
