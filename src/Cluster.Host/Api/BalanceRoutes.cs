using Akka.Actor;
using Actors.Domains;
using Actors.Servers.Scheduling;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>POST /pools/{name}/balance[?dryRun=true]: the balancer's plan for the pool now; run at once unless a dry run.</summary>
public static class BalanceRoutes
{
    public sealed record PlanBody(string Pool, bool DryRun, bool Executed, IReadOnlyList<BalanceMove> Moves, IReadOnlyList<string> Notes);

    public static void Map(WebApplication app)
    {
        app.MapPost("/pools/{name}/balance", async (string name, HttpRequest http, NodeDirectory dir, ActorSystem system) =>
        {
            if (DomainSpecValidation.CheckName(name) is not null)
                return ApiResults.Error(400, $"pool name '{DomainSpecValidation.Printable(name)}' is not valid (ASCII letters, digits, '.', '_', '-'; at most 63)", "name");
            var dryRun = false;
            if (http.Query.TryGetValue("dryRun", out var d) && !bool.TryParse(d.ToString(), out dryRun))
                return ApiResults.Error(400, $"dryRun must be true or false; got '{DomainSpecValidation.Printable(d.ToString())}'", "dryRun");
            if ((await new SchedulingSnapshots(system).ReadAsync()).Servers.All(s => s.Pool != name))
                return ApiResults.Error(404, $"pool {name} has no servers", "name");
            var planned = await dir.Registry.Get<BalancingManagerKey>().Ask<BalancingManager.Planned>(new BalancingManager.PlanNow(name, dryRun), NodeDirectory.AskTimeout);
            var plan = planned.Plan;
            return ApiResults.Ok(new PlanBody(plan.Pool, dryRun, planned.Executed, plan.Moves, plan.Notes));
        }).Allow(Role.Operator);
    }
}
