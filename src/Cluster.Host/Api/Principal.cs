using Cluster.Host.Auth;

namespace Cluster.Host.Api;

/// <summary>Who makes a request: the name of the token it carried, recorded on every event and job.</summary>
public static class Principal
{
    public static string Of(HttpRequest request) => ApiAuth.CallerOf(request.HttpContext).Name;
}
