using System.Data.Common;

namespace Cluster.Host.Persistence;

/// <summary>
/// The event of a row of Akka.Persistence.Sql's journal table, deserialized as the plugin does: with the row's
/// serializer id (identifier) and manifest, through the actor system's serialization.
/// </summary>
public static class JournalPayload
{
    /// <param name="identifier">The reader's column of the serializer id; the manifest and the message follow it.</param>
    /// <param name="row">The row, for an error (persistence id and sequence number, or ordering).</param>
    public static (object Event, string Manifest, byte[] Bytes, int SerializerId) Read(
        Akka.Serialization.Serialization serialization, DbDataReader reader, int identifier, string row)
    {
        if (reader.IsDBNull(identifier)) throw new InvalidOperationException($"journal row {row} has no serializer id");
        var serializerId = reader.GetInt32(identifier);
        var manifest = reader.IsDBNull(identifier + 1) ? "" : reader.GetString(identifier + 1);
        var bytes = (byte[])reader.GetValue(identifier + 2);
        return (serialization.Deserialize(bytes, serializerId, manifest), manifest, bytes, serializerId);
    }
}
