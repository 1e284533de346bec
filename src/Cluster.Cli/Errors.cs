namespace Cluster.Cli;

/// <summary>Exit codes of vmc.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
}

/// <summary>The command line is wrong (exit 2). <see cref="HelpTopic"/> is what 'vmc help ...' to suggest.</summary>
internal sealed class UsageException(string message, string? helpTopic = null) : Exception(message)
{
    public string? HelpTopic { get; } = helpTopic;
}

/// <summary>The node answered with an error status, or the job failed (exit 1).</summary>
internal sealed class ApiException(string message, int? status = null) : Exception(message)
{
    public int? Status { get; } = status;
}

/// <summary>The node could not be reached (exit 3).</summary>
internal sealed class UnreachableException(string address, string reason) : Exception($"cannot reach {address} ({reason})")
{
    public string Address { get; } = address;
}
