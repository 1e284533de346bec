namespace Cluster.Host.Api;

/// <summary>Who makes a request. Until tokens arrive (issue 4), callers name themselves in a header.</summary>
public static class Principal
{
    public const string Header = "X-Vmc-Principal";

    public static (string? Name, IResult? Error) Of(HttpRequest request)
    {
        var value = request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(value)) return ("anonymous", null);
        if (value.Length > 64 || value.Any(c => c <= ' ' || c > '~'))
            return (null, ApiResults.Error(400, $"header {Header} must be 1 to 64 printable ASCII characters without spaces", Header));
        return (value, null);
    }
}
