using Akka.Actor;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>
/// /cluster/members/{address}: one member, and the membership operations of JVM Akka Management's cluster HTTP API
/// (PUT with operation Join, Leave or Down; DELETE is Leave). The address is akka.tcp://vmc@HOST:PORT (URL-encoded;
/// akka.ssl.tcp:// with a cluster certificate) or HOST:PORT, which takes this node's scheme.
/// </summary>
public static class ClusterMemberRoutes
{
    public sealed record OperationRequest(string? Operation);

    public static void Map(WebApplication app)
    {
        app.MapGet("/cluster/members/{**address}", (string address, ClusterView view, NodeOptions options) =>
        {
            var (parsed, bad) = Parse(address, options);
            if (bad is not null) return bad;
            return view.Member(parsed!) is { } member ? ApiResults.Ok(member) : NotMember(parsed!);
        }).Allow(Role.Viewer);
        app.MapPut("/cluster/members/{**address}", async (string address, HttpRequest http, ActorSystem system, NodeOptions options) =>
        {
            var (parsed, bad) = Parse(address, options);
            if (bad is not null) return bad;
            var (request, bodyError) = await ApiResults.ReadBodyAsync<OperationRequest>(http);
            if (bodyError is not null) return bodyError;
            return request!.Operation?.ToLowerInvariant() switch
            {
                "join" => Operate(system, app, http, parsed!, "Joining", c => c.Join(parsed!), needsMember: false),
                "leave" => Operate(system, app, http, parsed!, "Leaving", c => c.Leave(parsed!)),
                "down" => Operate(system, app, http, parsed!, "Downing", c => c.Down(parsed!)),
                _ => ApiResults.Error(400, $"operation must be Join, Leave or Down; got '{Actors.Domains.DomainSpecValidation.Printable(request.Operation)}'", "operation"),
            };
        }).Allow(Role.Admin);
        app.MapDelete("/cluster/members/{**address}", (string address, HttpRequest http, ActorSystem system, NodeOptions options) =>
        {
            var (parsed, bad) = Parse(address, options);
            return bad ?? Operate(system, app, http, parsed!, "Leaving", c => c.Leave(parsed!));
        }).Allow(Role.Admin);
    }

    private static IResult Operate(ActorSystem system, WebApplication app, HttpRequest http, Address address, string verb,
        Action<Akka.Cluster.Cluster> operation, bool needsMember = true)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (needsMember && cluster.State.Members.All(m => m.Address != address)) return NotMember(address);
        operation(cluster);
        app.Logger.LogInformation("cluster: {Verb} {Address}, asked by {Principal}", verb, address, Principal.Of(http));
        return ApiResults.Ok(new { message = $"{verb} {address}" });
    }

    private static IResult NotMember(Address address) => ApiResults.Error(404, $"{address} is not a member of the cluster", "address");

    /// <summary>SCHEME://vmc@HOST:PORT (its '/' may arrive encoded as %2F, which routing leaves alone) or HOST:PORT.</summary>
    private static (Address? Address, IResult? Error) Parse(string text, NodeOptions options)
    {
        var address = Uri.UnescapeDataString(text);
        if (!address.Contains("://", StringComparison.Ordinal)) address = $"{options.Scheme}://{NodeOptions.SystemName}@{address}";
        try
        {
            var parsed = Address.Parse(address);
            if (parsed.Host is not null && parsed.Port is > 0) return (parsed, null);
        }
        catch (UriFormatException) { }
        return (null, ApiResults.Error(400,
            $"address '{Actors.Domains.DomainSpecValidation.Printable(text)}' is neither {options.Scheme}://{NodeOptions.SystemName}@HOST:PORT nor HOST:PORT", "address"));
    }
}
