using System.Text;

namespace Cluster.Host.Audit;

/// <summary>
/// A question to the audit table. Filters combine with AND; Since is inclusive, Until exclusive. Server matches
/// the server an event names and the node that wrote it (a request to a domain is written where it runs).
/// Before pages back from a cursor (newest first); After follows forward from one (oldest first).
/// </summary>
public sealed record AuditQuery(
    string? Domain = null,
    string? Server = null,
    string? Pool = null,
    string? Principal = null,
    string? Type = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    int Limit = AuditQuery.DefaultLimit,
    long? Before = null,
    long? After = null)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>The WHERE clause (empty when nothing filters) and its parameters, the same in SQLite and PostgreSQL.</summary>
    public (string Sql, List<(string Name, object? Value)> Parameters) Where()
    {
        var clauses = new List<string>();
        var parameters = new List<(string, object?)>();
        void Add(string clause, string name, object value)
        {
            clauses.Add(clause);
            parameters.Add((name, value));
        }
        if (Domain is not null) Add("domain = @domain", "@domain", Domain);
        if (Server is not null) Add("(server = @server OR node = @server)", "@server", Server);
        if (Pool is not null) Add("pool = @pool", "@pool", Pool);
        if (Principal is not null) Add("principal = @principal", "@principal", Principal);
        if (Type is not null) Add("type = @type", "@type", Type);
        if (Since is { } since) Add("at_ms >= @since", "@since", since.ToUnixTimeMilliseconds());
        if (Until is { } until) Add("at_ms < @until", "@until", until.ToUnixTimeMilliseconds());
        if (Before is { } before) Add("ordering < @before", "@before", before);
        if (After is { } after) Add("ordering > @after", "@after", after);
        var sql = new StringBuilder();
        if (clauses.Count > 0) sql.Append(" WHERE ").AppendJoin(" AND ", clauses);
        return (sql.ToString(), parameters);
    }
}
