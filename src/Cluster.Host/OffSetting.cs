using Akka.Configuration;

namespace Cluster.Host;

/// <summary>A setting that holds a value or the word <c>off</c> (HOCON keeps <c>off</c> as a string).</summary>
public static class OffSetting
{
    /// <summary>Null when the setting is off; else its value, or <paramref name="fallback"/> when it is not set.</summary>
    public static T? Read<T>(Config config, string path, T fallback, Func<Config, string, T, T> read) where T : struct =>
        config.GetString(path, "") is "off" ? null : read(config, path, fallback);
}
