using Akka.Actor;
using Actors.Domains;
using Actors.Domains.Jobs;
using Cluster.Host.Auth;
using static Actors.Domains.DomainCommands;

namespace Cluster.Host.Api;

/// <summary>/domains: create, lifecycle requests (each a job), read.</summary>
public static class DomainRoutes
{
    public const int DefaultStopTimeoutSeconds = 30;
    public const int MaxStopTimeoutSeconds = 3600;

    public static void Map(WebApplication app)
    {
        app.MapGet("/domains", async (NodeDirectory dir) => ApiResults.Ok(await dir.ListDomainsAsync())).Allow(Role.Viewer);
        app.MapGet("/domains/{name}", async (string name, NodeDirectory dir) =>
        {
            if (DomainSpecValidation.CheckName(name) is { } bad) return ApiResults.Error(400, bad.Message, bad.Field);
            var reply = await dir.Domains.Ask<DomainReplies.IDomainReply>(new Get(name), NodeDirectory.AskTimeout);
            return reply switch
            {
                DomainReplies.Accepted a => ApiResults.Ok(a.Domain),
                DomainReplies.Rejected r => ApiResults.Error(r.Status, r.Message, "name"),
                _ => ApiResults.Error(500, "unexpected reply"),
            };
        }).Allow(Role.Viewer);
        app.MapPost("/domains", async (HttpRequest http, NodeDirectory dir) =>
        {
            var principal = Principal.Of(http);
            var (request, bodyError) = await ApiResults.ReadBodyAsync<CreateDomainRequest>(http);
            if (bodyError is not null) return bodyError;
            if (await dir.LimitsAsync() is not { } limits)
                return ApiResults.Error(503, "no server has registered yet; try again in a moment");
            var (spec, invalid) = DomainSpecValidation.Validate(request!, limits);
            if (invalid is not null) return ApiResults.Error(400, invalid.Message, invalid.Field);
            if (await dir.GetPoolAsync(spec!.Pool) is null)
                return ApiResults.Error(400, $"pool {spec.Pool} does not exist; create it with `vmc pool create {spec.Pool}`", "pool");
            return await SubmitAsync(dir, "create", spec!.Name, principal, ctx => new Create(spec, ctx));
        }).Allow(Role.Operator);
        foreach (var verb in new[] { "start", "stop", "kill", "restart", "pause", "resume", "migrate" })
            app.MapPost($"/domains/{{name}}/{verb}", (string name, HttpRequest http, NodeDirectory dir, StartPlacement placement) =>
                LifecycleAsync(verb, name, http, dir, placement)).Allow(Role.Operator);
        app.MapDelete("/domains/{name}", (string name, HttpRequest http, NodeDirectory dir, StartPlacement placement) =>
            LifecycleAsync("delete", name, http, dir, placement)).Allow(Role.Operator);
    }

    private static async Task<IResult> LifecycleAsync(string verb, string name, HttpRequest http, NodeDirectory dir, StartPlacement placement)
    {
        if (DomainSpecValidation.CheckName(name) is { } bad) return ApiResults.Error(400, bad.Message, bad.Field);
        var principal = Principal.Of(http);
        var timeout = DefaultStopTimeoutSeconds;
        if (http.Query.TryGetValue("timeout", out var t)
            && (!int.TryParse(t.ToString(), out timeout) || timeout < 0 || timeout > MaxStopTimeoutSeconds))
            return ApiResults.Error(400, $"timeout must be a whole number of seconds between 0 and {MaxStopTimeoutSeconds}; got '{DomainSpecValidation.Printable(t.ToString())}'", "timeout");
        SchedulerDecision? placed = null;
        if (verb == "start")
        {
            var server = http.Query.TryGetValue("server", out var s) ? s.ToString() : null;
            if (server is not null && DomainSpecValidation.CheckName(server) is not null)
                return ApiResults.Error(400, $"server '{DomainSpecValidation.Printable(server)}' is not a valid server name", "server");
            var (decision, refusal, status, field) = await placement.PlaceAsync(name, server);
            placed = decision;
            if (refusal is not null)
            {
                // The job is recorded as failed with the reason; nothing else changes.
                var jobId = JobRecord.NewId();
                dir.Jobs.Tell(new JobMessages.Open(new JobRecord(jobId, verb, name, principal, JobRecord.Running, null, DateTimeOffset.UtcNow, null)));
                dir.Jobs.Tell(new JobMessages.Finish(jobId, false, refusal));
                return ApiResults.Error(status, refusal, field);
            }
        }
        if (verb == "migrate")
        {
            var to = http.Query.TryGetValue("to", out var t2) ? t2.ToString() : null;
            if (to is null || DomainSpecValidation.CheckName(to) is not null)
                return ApiResults.Error(400, $"migrate needs ?to=SERVER, a server name; got '{DomainSpecValidation.Printable(to)}'", "to");
            return Answer("migrate", await DomainJobs.MigrateAsync(dir, placement, name, to, principal));
        }
        return await SubmitAsync(dir, verb, name, principal, ctx => verb switch
        {
            "start" => new Start(name, ctx, placed),
            "stop" => new Stop(name, timeout, ctx),
            "kill" => new DomainCommands.Kill(name, ctx),
            "restart" => new Restart(name, timeout, ctx),
            "pause" => new Pause(name, ctx),
            "resume" => new Resume(name, ctx),
            _ => new Delete(name, ctx),
        });
    }

    /// <summary>Opens a job, sends the request to the domain, and answers with the job (and the domain on create).</summary>
    private static async Task<IResult> SubmitAsync(NodeDirectory dir, string verb, string name, string principal,
        Func<RequestContext, IDomainCommand> command) =>
        Answer(verb, await DomainJobs.SubmitAsync(dir, verb, name, principal, command));

    private static IResult Answer(string verb, DomainJobs.Submitted submitted)
    {
        if (submitted.Job is not { } job) return ApiResults.Error(submitted.Status, submitted.Error!, submitted.Field);
        return verb switch
        {
            "create" => ApiResults.Ok(new { job, domain = submitted.Domain }, 201),
            "delete" => ApiResults.Ok(new { job }),
            _ => ApiResults.Ok(new { job }, 202),
        };
    }
}
