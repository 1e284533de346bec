using Actors.Domains;
using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>/tokens: bearer tokens of the API (admin only). A new token's secret is in the answer to its creation only.</summary>
public static class TokenRoutes
{
    public sealed record CreateTokenRequest(string? Name, string? Role);

    public static void Map(WebApplication app)
    {
        app.MapGet("/tokens", async (TokenStore tokens, HttpContext http) =>
            ApiResults.Ok(await tokens.ListAsync(http.RequestAborted))).Allow(Role.Admin);
        app.MapPost("/tokens", async (HttpRequest http, TokenStore tokens) =>
        {
            var (request, bodyError) = await ApiResults.ReadBodyAsync<CreateTokenRequest>(http);
            if (bodyError is not null) return bodyError;
            if (Roles.Parse(request!.Role) is not { } role)
                return ApiResults.Error(400, $"role must be viewer, operator or admin; got '{DomainSpecValidation.Printable(request.Role)}'", "role");
            var name = request.Name ?? $"{Roles.Name(role)}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
            if (DomainSpecValidation.CheckName(name) is { } bad) return ApiResults.Error(400, bad.Message, "name");
            var createdBy = Principal.Of(http);
            var token = await tokens.CreateAsync(name, role, createdBy, http.HttpContext.RequestAborted);
            if (token is null) return ApiResults.Error(409, $"a token named {name} exists already", "name");
            app.Logger.LogInformation("token {Name} ({Role}) created by {Principal}", name, Roles.Name(role), createdBy);
            return ApiResults.Ok(new { name, role = Roles.Name(role), token }, 201);
        }).Allow(Role.Admin);
        app.MapDelete("/tokens/{name}", async (string name, HttpRequest http, TokenStore tokens, CallerCache callers) =>
        {
            if (DomainSpecValidation.CheckName(name) is { } bad) return ApiResults.Error(400, bad.Message, "name");
            if (!await tokens.DeleteAsync(name, http.HttpContext.RequestAborted))
                return ApiResults.Error(404, $"token {name} does not exist", "name");
            callers.Clear();
            app.Logger.LogInformation("token {Name} revoked by {Principal}", name, Principal.Of(http));
            return ApiResults.Ok(new { name, revoked = true });
        }).Allow(Role.Admin);
    }
}
