using Akka.Actor;
using Actors.Domains.Jobs;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>/jobs: the jobs this node opened.</summary>
public static class JobRoutes
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/jobs", async (NodeDirectory dir) =>
            ApiResults.Ok(await dir.Jobs.Ask<List<JobRecord>>(new JobMessages.List(100), NodeDirectory.AskTimeout))).Allow(Role.Viewer);
        app.MapGet("/jobs/{id}", async (string id, NodeDirectory dir) =>
        {
            var found = await dir.Jobs.Ask<JobMessages.Found>(new JobMessages.Get(id), NodeDirectory.AskTimeout);
            return found.Job is { } job
                ? ApiResults.Ok(job)
                : ApiResults.Error(404, $"job {Actors.Domains.DomainSpecValidation.Printable(id)} is not known to this node", "id");
        }).Allow(Role.Viewer);
    }
}
