using System.Text.Json;

namespace Cluster.Cli;

/// <summary>
/// The names the prompt completes (domains, servers, jobs), asked from the node and kept for a few seconds, so a
/// burst of Tabs asks once. A node that does not answer in time, or refuses, completes nothing: Tab never fails.
/// </summary>
internal sealed class NodeNames(Func<string, CancellationToken, Task<JsonElement>> get, Func<DateTime> now)
{
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);
    private readonly Dictionary<NameKind, (DateTime At, IReadOnlyList<string> Names)> _cache = [];

    public IReadOnlyList<string> Get(NameKind kind)
    {
        if (_cache.TryGetValue(kind, out var cached) && now() - cached.At < Fresh) return cached.Names;
        var (path, key) = kind switch
        {
            NameKind.Domain => ("domains", "name"),
            NameKind.Server => ("servers", "name"),
            _ => ("jobs", "id"),
        };
        IReadOnlyList<string> names;
        try
        {
            using var timeout = new CancellationTokenSource(AskTimeout);
            var list = get(path, timeout.Token).GetAwaiter().GetResult();
            names = [.. list.Items().Select(e => e.Str(key)).OfType<string>()];
        }
        catch (Exception ex) when (ex is ApiException or UnreachableException or OperationCanceledException or JsonException or InvalidOperationException)
        {
            return cached.Names ?? [];
        }
        _cache[kind] = (now(), names);
        return names;
    }
}
