namespace Cluster.Host.Auth;

/// <summary>What a token may do; each role includes the ones before it.</summary>
public enum Role
{
    /// <summary>Reads: members, servers, domains, jobs, audit, shards.</summary>
    Viewer = 1,

    /// <summary>Domain lifecycle: create, start, stop, kill, restart, pause, resume, delete, migrate.</summary>
    Operator = 2,

    /// <summary>Cluster membership, servers, pools, tokens, audit rebuild.</summary>
    Admin = 3,
}

public static class Roles
{
    public static string Name(Role role) => role.ToString().ToLowerInvariant();

    public static Role? Parse(string? text) => text switch
    {
        "viewer" => Role.Viewer,
        "operator" => Role.Operator,
        "admin" => Role.Admin,
        _ => null,
    };
}
