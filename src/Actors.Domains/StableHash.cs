namespace Actors.Domains;

/// <summary>FNV-1a over a name's characters: the same number on every node and in every process (string.GetHashCode is not).</summary>
public static class StableHash
{
    public static uint Of(string name)
    {
        var hash = 2166136261u;
        foreach (var c in name) hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
