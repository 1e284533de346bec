namespace Cluster.Host.Audit;

/// <summary>
/// The audit tables, the same in SQLite and PostgreSQL. Times are Unix milliseconds (UTC) so that both compare
/// them as integers. Every index costs the projection a B-tree insert per event (SQLite's catch-up rate is bound by
/// them), so there are four: domain, server and node each lead one with the time after it (a filter plus a window
/// is one index range); the time index also carries type and principal, so a type or principal filter over a
/// window, and `audit stats` over a window, read that index only. A pool, type or principal filter without a
/// window reads the table newest first until it has its page (those values are few and common). In SQLite the
/// ordering is the table's rowid (INTEGER PRIMARY KEY), not a second index beside it; tables made before keep
/// their key, and the indexes dropped here (pool, type, principal, job: no query needs them) go.
/// </summary>
internal static class AuditSchema
{
    public static string Create(bool postgres) => $$"""
        CREATE TABLE IF NOT EXISTS audit (
          ordering {{(postgres ? "BIGINT" : "INTEGER")}} NOT NULL PRIMARY KEY,
          at_ms BIGINT NOT NULL,
          type TEXT NOT NULL,
          domain TEXT NULL,
          server TEXT NULL,
          pool TEXT NULL,
          principal TEXT NOT NULL,
          job_id TEXT NULL,
          node TEXT NULL,
          persistence_id TEXT NOT NULL,
          sequence_nr BIGINT NOT NULL,
          summary TEXT NOT NULL,
          payload TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS audit_at ON audit (at_ms, type, principal);
        CREATE INDEX IF NOT EXISTS audit_domain_at ON audit (domain, at_ms);
        CREATE INDEX IF NOT EXISTS audit_server_at ON audit (server, at_ms);
        CREATE INDEX IF NOT EXISTS audit_node_at ON audit (node, at_ms);
        DROP INDEX IF EXISTS audit_pool_at;
        DROP INDEX IF EXISTS audit_principal_at;
        DROP INDEX IF EXISTS audit_type_at;
        DROP INDEX IF EXISTS audit_job;
        CREATE TABLE IF NOT EXISTS audit_offset (
          projection TEXT NOT NULL PRIMARY KEY,
          ordering BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS audit_domain_pools (
          domain TEXT NOT NULL PRIMARY KEY,
          pool TEXT NOT NULL);
        """;

    public const string Columns =
        "ordering, at_ms, type, domain, server, pool, principal, job_id, node, persistence_id, sequence_nr, summary, payload";

    /// <summary>The journal's tag table (Akka.Persistence.Sql's, created by the plugin): the projection writes its rows.</summary>
    public const string TagColumns = "ordering_id, tag, sequence_nr, persistence_id";
}
