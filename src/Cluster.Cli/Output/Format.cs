using System.Globalization;

namespace Cluster.Cli.Output;

internal static class Format
{
    public const string None = "-";

    /// <summary>Empty and null cells print as "-", so columns never collapse.</summary>
    public static string Cell(string? value) => string.IsNullOrEmpty(value) ? None : value;

    public static string? MiB(long? mib) => mib is { } n ? $"{n.ToString(CultureInfo.InvariantCulture)} MiB" : null;

    /// <summary>A load share, rounded to whole percent ("93%"); null stays null (no sample yet).</summary>
    public static string? Percent(double? value) =>
        value is { } v ? $"{Math.Round(v).ToString(CultureInfo.InvariantCulture)}%" : null;

    /// <summary>Bytes as the API's size syntax when exact (1G, 512M), otherwise with one decimal (1.5G).</summary>
    public static string? Size(long? bytes)
    {
        if (bytes is not { } b)
        {
            return null;
        }
        string[] units = ["T", "G", "M", "K"];
        for (var i = 0; i < units.Length; i++)
        {
            var unit = 1L << (10 * (units.Length - i));
            if (b >= unit)
            {
                return b % unit == 0
                    ? $"{(b / unit).ToString(CultureInfo.InvariantCulture)}{units[i]}"
                    : $"{((double)b / unit).ToString("0.#", CultureInfo.InvariantCulture)}{units[i]}";
            }
        }
        return b.ToString(CultureInfo.InvariantCulture);
    }
}
