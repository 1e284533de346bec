namespace Cluster.Cli;

/// <summary>The API token of one command: --token, else --token-file, else $VMC_TOKEN; none lets the node say what is missing.</summary>
internal static class TokenSource
{
    public static string? Resolve(Invocation inv, VmcOptions options, string helpTopic)
    {
        var token = inv.Value(GlobalSwitches.Token.Name);
        var file = inv.Value(GlobalSwitches.TokenFile.Name);
        if (token is not null && file is not null)
        {
            throw new UsageException($"give either {GlobalSwitches.Token.Name} or {GlobalSwitches.TokenFile.Name}, not both", helpTopic);
        }
        if (file is not null)
        {
            token = Read(Path.GetFullPath(file, options.CurrentDirectory), helpTopic);
        }
        token ??= options.GetEnvironment(VmcOptions.TokenVariable);
        token = token?.Trim();
        if (token is { Length: 0 })
        {
            return null;
        }
        // A header value cannot carry control characters or spaces; say so instead of failing inside HttpClient.
        return token is null || token.All(c => c is > ' ' and <= '~')
            ? token
            : throw new UsageException("the API token may contain only printable ASCII characters without spaces", helpTopic);
    }

    private static string Read(string path, string helpTopic)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the token file {path}: {ex.Message}", helpTopic);
        }
    }
}
