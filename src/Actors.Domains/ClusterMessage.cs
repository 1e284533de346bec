namespace Actors.Domains;

/// <summary>
/// A transient message that may cross between servers (commands, replies, job and catalog messages). Serialized
/// by <see cref="Serialization.ClusterMessageSerializer"/>, which refuses to materialise any other type.
/// </summary>
public interface IClusterMessage;
