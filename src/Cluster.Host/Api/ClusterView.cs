using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>Cluster membership as the API shows it (the shape of JVM Akka Management's cluster HTTP API).</summary>
public sealed class ClusterView(ActorSystem system)
{
    public static readonly string AppVersion =
        typeof(ClusterView).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public sealed record MemberInfo(string Node, string NodeUid, string Status, IReadOnlyList<string> Roles, string Reachability, string AppVersion);

    public object Snapshot()
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.Select(m => Info(m, unreachable)).ToList();
        var oldest = state.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m, Akka.Cluster.Member.AgeOrdering).FirstOrDefault();
        return new
        {
            selfNode = cluster.SelfAddress.ToString(),
            leader = state.Leader?.ToString(),
            oldest = oldest?.Address.ToString(),
            members,
            unreachable = unreachable.Select(a => a.ToString()).ToList(),
        };
    }

    /// <summary>One member as <see cref="Snapshot"/> lists it, or null when the address is not a member.</summary>
    public MemberInfo? Member(Address address)
    {
        var state = Akka.Cluster.Cluster.Get(system).State;
        var member = state.Members.FirstOrDefault(m => m.Address == address);
        return member is null ? null : Info(member, state.Unreachable.Select(m => m.Address).ToHashSet());
    }

    private static MemberInfo Info(Akka.Cluster.Member m, HashSet<Address> unreachable) => new(
        m.Address.ToString(), m.UniqueAddress.Uid.ToString(), m.Status.ToString(), [.. m.Roles.Order()],
        unreachable.Contains(m.Address) ? "Unreachable" : "Reachable", AppVersion);

    /// <summary>"up", "unreachable", "down" (not a member now) for a server's cluster address.</summary>
    public string StatusOf(string address)
    {
        var state = Akka.Cluster.Cluster.Get(system).State;
        var member = state.Members.FirstOrDefault(m => m.Address.ToString() == address);
        if (member is null) return "down";
        if (state.Unreachable.Any(m => m.Address == member.Address)) return "unreachable";
        return member.Status.ToString().ToLowerInvariant();
    }

    public static void Map(WebApplication app) =>
        app.MapGet("/cluster/members", (ClusterView view) => ApiResults.Ok(view.Snapshot())).Allow(Role.Viewer);
}
