namespace Cluster.Cli.Output;

/// <summary>"key: value" lines with the values aligned.</summary>
internal sealed class Details
{
    private readonly List<(string Key, string Value)> _lines = [];

    public Details Add(string key, string? value)
    {
        _lines.Add((key, Format.Cell(value)));
        return this;
    }

    public void Write(TextWriter w)
    {
        var width = _lines.Count == 0 ? 0 : _lines.Max(l => l.Key.Length) + 1;
        foreach (var (key, value) in _lines)
        {
            w.WriteLine($"{(key + ":").PadRight(width)} {value}".TrimEnd());
        }
    }
}
