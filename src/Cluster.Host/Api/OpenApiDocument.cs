using Cluster.Host.Auth;
using Microsoft.OpenApi;

namespace Cluster.Host.Api;

/// <summary>/openapi/v1.json: the API's routes as an OpenAPI document (viewer role), with its bearer scheme.</summary>
public static class OpenApiDocument
{
    public const string Path = "/openapi/{documentName}.json";

    public static void AddTo(IServiceCollection services) => services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
    {
        document.Info = new OpenApiInfo { Title = "vmc node API", Version = ClusterView.AppVersion };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "a vmc token (roles viewer, operator, admin); see docs/http-api.md",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
        return Task.CompletedTask;
    }));

    public static void Map(WebApplication app) => app.MapOpenApi(Path).Allow(Role.Viewer);
}
