namespace Cluster.Cli.Output;

/// <summary>A text table: header row in capitals, columns padded to the widest cell, two spaces apart.</summary>
internal sealed class Table(params string[] headers)
{
    private readonly string[] _headers = headers.Select(h => h.ToUpperInvariant()).ToArray();
    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public Table Add(params string?[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"expected {_headers.Length} cells, got {cells.Length}", nameof(cells));
        }
        _rows.Add(cells.Select(Format.Cell).ToArray());
        return this;
    }

    public void Write(TextWriter w)
    {
        var widths = new int[_headers.Length];
        foreach (var row in _rows.Prepend(_headers))
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        foreach (var row in _rows.Prepend(_headers))
        {
            var parts = row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]));
            w.WriteLine(string.Join("  ", parts).TrimEnd());
        }
    }
}
