using System.Data.Common;
using LinqToDB.Interceptors;

namespace Cluster.Host.Persistence;

/// <summary>
/// Makes every database call of the journal start asynchronously. Microsoft.Data.Sqlite does all its work inline,
/// so Akka.Persistence.Sql's write stream ran each write (insert, commit, fsync) inside the stage that hands out
/// batches: the writes queued behind it could only ever form batches of one row, one transaction and one fsync per
/// event (~1,000 events/s). Yielding first frees that stage while a write runs, so the writes that arrive meanwhile
/// go into the next transaction together. Each write is still awaited before its event is acknowledged.
/// </summary>
public sealed class YieldBeforeOpen : ConnectionInterceptor
{
    public static readonly YieldBeforeOpen Instance = new();

    public override async Task ConnectionOpeningAsync(ConnectionEventData eventData, DbConnection connection,
        CancellationToken cancellationToken) => await Task.Yield();
}
