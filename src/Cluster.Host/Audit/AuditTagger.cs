using Akka.Persistence.Journal;

namespace Cluster.Host.Audit;

/// <summary>
/// Write event adapter (bound in akka.hocon): wraps every persisted event in <see cref="Tagged"/> with the tags of
/// its <see cref="AuditFacts"/>, so EventsByTag finds it by domain, server, pool, principal, node, job and type
/// without the actors knowing about tags. Events it does not know pass through untagged.
/// </summary>
public sealed class AuditTagger : IWriteEventAdapter
{
    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) =>
        AuditFacts.Of(evt) is { } facts ? new Tagged(evt, facts.Tags()) : evt;
}
