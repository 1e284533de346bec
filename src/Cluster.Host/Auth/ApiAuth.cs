using Cluster.Host.Api;

namespace Cluster.Host.Auth;

/// <summary>The role a route needs, as endpoint metadata.</summary>
public sealed record RequiredRole(Role Role);

/// <summary>
/// Every request needs a bearer token. A route names the role it needs with <see cref="Allow{TBuilder}"/>; a route
/// that names none needs admin, so a route someone forgot to mark is closed rather than open.
/// </summary>
public static class ApiAuth
{
    private const string CallerKey = "vmc.caller";

    public static TBuilder Allow<TBuilder>(this TBuilder builder, Role role) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(role));

    /// <summary>The caller the middleware let in.</summary>
    public static Caller CallerOf(HttpContext context) =>
        context.Items[CallerKey] as Caller ?? throw new InvalidOperationException("the request passed no authentication");

    public static void Use(WebApplication app, CallerCache tokens) => app.Use(async (context, next) =>
    {
        var endpoint = context.GetEndpoint();
        // An unknown path only needs a valid token: its answer is a 404, not something a role protects.
        var required = endpoint is null ? Role.Viewer : endpoint.Metadata.GetMetadata<RequiredRole>()?.Role ?? Role.Admin;
        var (caller, refusal) = await AuthenticateAsync(context, tokens);
        if (refusal is not null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await refusal.ExecuteAsync(context);
            return;
        }
        if (caller!.Role < required)
        {
            await ApiResults.Error(403,
                $"token '{caller.Name}' has the role {Roles.Name(caller.Role)}; {context.Request.Method} {context.Request.Path} needs the role {Roles.Name(required)}"
                + (required == Role.Admin ? "" : " or higher")).ExecuteAsync(context);
            return;
        }
        context.Items[CallerKey] = caller;
        await next(context);
    });

    private static async Task<(Caller? Caller, IResult? Refusal)> AuthenticateAsync(HttpContext context, CallerCache tokens)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length == scheme.Length)
            return (null, ApiResults.Error(401,
                "this API needs a token: send 'Authorization: Bearer TOKEN' (vmc: --token, --token-file or VMC_TOKEN; "
                + "the first start of a cluster writes an admin token to DATA_DIR/admin.token)"));
        var caller = await tokens.FindAsync(header[scheme.Length..].Trim(), context.RequestAborted);
        return caller is null
            ? (null, ApiResults.Error(401, "the bearer token is not valid here: unknown, revoked, or from another cluster"))
            : (caller, null);
    }
}
