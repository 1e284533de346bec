using Akka.Persistence.Journal;

namespace JournalBench;

/// <summary>
/// Stands in for the node's audit tagger in case (u): passes every event through untagged, so the journal writes
/// its rows without tag rows. What (c) minus (u) costs is the tags' write path.
/// </summary>
public sealed class Untagged : IWriteEventAdapter
{
    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) => evt;
}
