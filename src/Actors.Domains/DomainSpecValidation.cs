using System.Text.RegularExpressions;

namespace Actors.Domains;

/// <summary>A create request as it arrives from outside, before anything is trusted.</summary>
public sealed record CreateDomainRequest(
    string? Name,
    int? Vcpus,
    int? MemoryMiB,
    IReadOnlyList<string>? Disks,
    string? Restart,
    string? Kernel,
    string? Initrd,
    string? Cmdline,
    bool? Ha = null,
    string? Pool = null);

/// <summary>The largest domain any server can run: vCPUs and memory of the biggest server.</summary>
public sealed record DomainLimits(int MaxVcpus, long MaxMemoryMiB);

/// <summary>A request that cannot be taken: the message names the field.</summary>
public sealed record ValidationError(string Field, string Message);

/// <summary>Pure checks of create requests, so that bad input changes nothing and the error names the field.</summary>
public static partial class DomainSpecValidation
{
    public const int MaxNameLength = 63;
    public const int MaxDisks = 16;
    public const long MaxDiskBytes = 64L << 40;
    public const int MaxCmdlineLength = 2048;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();

    /// <summary>Checks a domain name as it appears in a URL or a request.</summary>
    public static ValidationError? CheckName(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return new("name", "name is required");
        if (name.Length > MaxNameLength)
            return new("name", $"name is {name.Length} characters long; at most {MaxNameLength} are allowed");
        if (!NamePattern().IsMatch(name))
            return new("name", $"name '{Printable(name)}' may contain only ASCII letters, digits, '.', '_' and '-', and must start with a letter or digit");
        return null;
    }

    public static (DomainSpec? Spec, ValidationError? Error) Validate(CreateDomainRequest request, DomainLimits limits)
    {
        if (CheckName(request.Name) is { } nameError) return (null, nameError);
        var name = request.Name!;

        if (request.Vcpus is not { } vcpus)
            return (null, new("vcpus", "vcpus is required"));
        if (vcpus < 1 || vcpus > limits.MaxVcpus)
            return (null, new("vcpus", $"vcpus must be between 1 and {limits.MaxVcpus} (the most any server has); got {vcpus}"));

        if (request.MemoryMiB is not { } memory)
            return (null, new("memoryMiB", "memoryMiB is required"));
        if (memory < 16 || memory > limits.MaxMemoryMiB)
            return (null, new("memoryMiB", $"memoryMiB must be between 16 and {limits.MaxMemoryMiB} (the most any server has); got {memory}"));

        var disks = request.Disks ?? [];
        if (disks.Count > MaxDisks)
            return (null, new("disks", $"at most {MaxDisks} disks are allowed; got {disks.Count}"));
        var sizes = new List<long>();
        for (var i = 0; i < disks.Count; i++)
        {
            if (!TryParseSize(disks[i], out var bytes) || bytes < 1 << 20 || bytes > MaxDiskBytes)
                return (null, new($"disks[{i}]", $"disk size '{Printable(disks[i])}' is not a size between 1M and 64T (like 512M or 10G)"));
            sizes.Add(bytes);
        }

        if (!RestartPolicyNames.TryParse(request.Restart, out var restart))
            return (null, new("restart", $"restart must be always, on-crash or never; got '{Printable(request.Restart)}'"));

        if (CheckFile("kernel", request.Kernel) is { } kernelError) return (null, kernelError);
        if (CheckFile("initrd", request.Initrd) is { } initrdError) return (null, initrdError);
        if (request.Initrd is not null && request.Kernel is null)
            return (null, new("initrd", "initrd needs a kernel"));
        if (request.Cmdline is not null && request.Kernel is null)
            return (null, new("cmdline", "cmdline needs a kernel"));
        if (request.Cmdline is { Length: > MaxCmdlineLength })
            return (null, new("cmdline", $"cmdline is longer than {MaxCmdlineLength} characters"));
        if (request.Cmdline is { } cmdline && cmdline.Any(c => c < ' ' || c > '~'))
            return (null, new("cmdline", "cmdline may contain only printable ASCII characters"));

        var pool = request.Pool ?? DomainSpec.DefaultPool;
        if (CheckName(pool) is not null)
            return (null, new("pool", $"pool '{Printable(pool)}' is not a valid pool name (ASCII letters, digits, '.', '_', '-'; at most {MaxNameLength})"));

        return (new DomainSpec(name, vcpus, memory, sizes, restart, request.Kernel, request.Initrd, request.Cmdline,
            request.Ha ?? false, pool), null);
    }

    /// <summary>Sizes like 512M, 10G, 1T (binary units), or plain bytes.</summary>
    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        var shift = char.ToUpperInvariant(text[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        var digits = shift == 0 ? text : text[..^1];
        if (!long.TryParse(digits, System.Globalization.NumberStyles.None, null, out var n) || n > long.MaxValue >> shift)
            return false;
        bytes = n << shift;
        return true;
    }

    private static ValidationError? CheckFile(string field, string? path)
    {
        if (path is null) return null;
        if (!Path.IsPathFullyQualified(path))
            return new(field, $"{field} must be an absolute path; got '{Printable(path)}'");
        if (path.Any(c => c < ' ' || c == ','))
            return new(field, $"{field} path may not contain control characters or commas");
        return File.Exists(path) ? null : new(field, $"{field} file {path} does not exist on this server");
    }

    /// <summary>Echoes user input safely: control characters escaped, length capped.</summary>
    public static string Printable(string? text)
    {
        if (text is null) return "";
        var s = new string([.. text.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 80 ? s + "…" : s;
    }
}
