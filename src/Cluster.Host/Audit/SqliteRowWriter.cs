using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cluster.Host.Audit;

/// <summary>
/// SQLite: a batch's audit rows and their tags as multi-row INSERTs inside the projection's transaction, each
/// statement prepared once per batch and bound by parameter index on the connection's own handle. Through
/// SqliteCommand one statement per row spent most of the projection's time in the command's own work (a data
/// reader per execution, each parameter looked up by name), and a multi-row statement made those lookups slower
/// still (SQLite searches a statement's names one by one). No conflict is expected: the rows are those after the
/// offset stored in the same transaction, and <see cref="AuditStore.LoadAsync"/> clears the tag rows past it. OR
/// ROLLBACK: a conflict (a second projector for a moment) ends the whole transaction, which the batch needs anyway;
/// with the default (ABORT) a multi-row statement that fails halfway must undo only its own rows, so SQLite kept a
/// statement journal in a temporary file for every statement (100,000 events caught up at 18,300 events/s with it,
/// 23,800 with it in memory, 32,600 without it). That transaction holds the write lock from its
/// start (Microsoft.Data.Sqlite begins IMMEDIATE), so a step here never meets the journal's writer and needs none of
/// SqliteCommand's retries on a busy database.
/// </summary>
internal static class SqliteRowWriter
{
    /// <summary>Rows per statement: enough to spread a statement's fixed cost (step, reset) thin.</summary>
    private const int RowsPerStatement = 32;

    private static readonly string[] AuditColumns = AuditSchema.Columns.Split(", ");
    private static readonly string[] TagColumns = AuditSchema.TagColumns.Split(", ");

    public static void Write(SqliteConnection connection, IReadOnlyList<AuditRow> rows)
    {
        var db = connection.Handle!;
        Insert(db, "audit", AuditColumns, rows, static (s, i, r) =>
        {
            Int(s, i, r.Ordering); Int(s, i + 1, r.At.ToUnixTimeMilliseconds()); Text(s, i + 2, r.Type); Text(s, i + 3, r.Domain);
            Text(s, i + 4, r.Server); Text(s, i + 5, r.Pool); Text(s, i + 6, r.Principal); Text(s, i + 7, r.JobId);
            Text(s, i + 8, r.Node); Text(s, i + 9, r.PersistenceId); Int(s, i + 10, r.SequenceNr); Text(s, i + 11, r.Summary);
            Text(s, i + 12, r.Payload);
        });
        var tags = rows.SelectMany(r => r.Tags.Select(tag => (Row: r, Tag: tag))).ToList();
        Insert(db, "tags", TagColumns, tags, static (s, i, t) =>
        {
            Int(s, i, t.Row.Ordering); Text(s, i + 1, t.Tag); Int(s, i + 2, t.Row.SequenceNr); Text(s, i + 3, t.Row.PersistenceId);
        });
    }

    /// <summary>
    /// Inserts <paramref name="items"/> into <paramref name="table"/>, <see cref="RowsPerStatement"/> a statement;
    /// <paramref name="bind"/> binds one item's columns, in order, from the 1-based parameter index it is given.
    /// </summary>
    private static void Insert<T>(sqlite3 db, string table, string[] columns, IReadOnlyList<T> items, Action<sqlite3_stmt, int, T> bind)
    {
        sqlite3_stmt? full = null;
        try
        {
            for (var first = 0; first < items.Count; first += RowsPerStatement)
            {
                var count = Math.Min(RowsPerStatement, items.Count - first);
                var statement = count == RowsPerStatement ? full ??= Prepare(db, table, columns, count) : Prepare(db, table, columns, count);
                try
                {
                    for (var i = 0; i < count; i++) bind(statement, i * columns.Length + 1, items[first + i]);
                    Check(db, raw.sqlite3_step(statement), raw.SQLITE_DONE);
                    Check(db, raw.sqlite3_reset(statement), raw.SQLITE_OK);
                }
                finally
                {
                    if (statement != full) statement.Dispose(); // the batch's last, shorter statement
                }
            }
        }
        finally
        {
            full?.Dispose();
        }
    }

    private static sqlite3_stmt Prepare(sqlite3 db, string table, string[] columns, int rows)
    {
        var tuple = "(" + string.Join(", ", columns.Select(_ => "?")) + ")";
        var sql = $"INSERT OR ROLLBACK INTO {table} ({string.Join(", ", columns)}) VALUES {string.Join(", ", Enumerable.Repeat(tuple, rows))}";
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement), raw.SQLITE_OK);
        return statement;
    }

    private static void Int(sqlite3_stmt s, int index, long value) => raw.sqlite3_bind_int64(s, index, value);

    private static void Text(sqlite3_stmt s, int index, string? value)
    {
        if (value is null) raw.sqlite3_bind_null(s, index);
        else raw.sqlite3_bind_text(s, index, value);
    }

    private static void Check(sqlite3 db, int rc, int expected)
    {
        if (rc != expected) SqliteException.ThrowExceptionForRC(rc, db);
    }
}
