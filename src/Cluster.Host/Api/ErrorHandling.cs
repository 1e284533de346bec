using Akka.Actor;

namespace Cluster.Host.Api;

/// <summary>Whatever escapes a route becomes the API's error shape, never a stack trace to the caller.</summary>
public static class ErrorHandling
{
    public static void Use(WebApplication app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (AskTimeoutException ex) when (!context.Response.HasStarted)
        {
            await ApiResults.Error(503, $"the cluster did not answer in time ({ex.Message}); try again").ExecuteAsync(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
        {
            app.Logger.LogError(ex, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            await ApiResults.Error(500, $"internal error: {ex.Message}").ExecuteAsync(context);
        }
    });
}
