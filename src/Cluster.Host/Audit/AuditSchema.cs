namespace Cluster.Host.Audit;

/// <summary>
/// The audit tables, the same in SQLite and PostgreSQL. Times are Unix milliseconds (UTC) so that both compare
/// them as integers. Every filter of `vmc audit` leads one index with the time after it, so a filter plus a
/// window is one index range; the time index also carries type and principal, so `audit stats` over a window
/// reads the index only.
/// </summary>
internal static class AuditSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS audit (
          ordering BIGINT NOT NULL PRIMARY KEY,
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
        CREATE INDEX IF NOT EXISTS audit_pool_at ON audit (pool, at_ms);
        CREATE INDEX IF NOT EXISTS audit_principal_at ON audit (principal, at_ms);
        CREATE INDEX IF NOT EXISTS audit_type_at ON audit (type, at_ms);
        CREATE INDEX IF NOT EXISTS audit_job ON audit (job_id);
        CREATE TABLE IF NOT EXISTS audit_offset (
          projection TEXT NOT NULL PRIMARY KEY,
          ordering BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS audit_domain_pools (
          domain TEXT NOT NULL PRIMARY KEY,
          pool TEXT NOT NULL);
        """;

    public const string Columns =
        "ordering, at_ms, type, domain, server, pool, principal, job_id, node, persistence_id, sequence_nr, summary, payload";
}
