namespace Actors.Domains;

public enum RestartPolicy { OnCrash, Always, Never }

/// <summary>A domain's configuration: what the VMM is started with.</summary>
public sealed record DomainSpec(
    string Name,
    int Vcpus,
    int MemoryMiB,
    IReadOnlyList<long> DiskSizesBytes,
    RestartPolicy Restart,
    string? Kernel,
    string? Initrd,
    string? Cmdline,
    bool Ha = false,
    string Pool = DomainSpec.DefaultPool)
{
    public const string DefaultPool = "default";
}

/// <summary>The state the operator asked for.</summary>
public enum DesiredState { Stopped, Running, Paused }

/// <summary>The state last observed of the domain's VMM (persisted facts only; transitions in flight are derived).</summary>
public enum ActualState { Stopped, Running, Paused, Crashed }

public static class RestartPolicyNames
{
    public static string ToWire(this RestartPolicy p) => p switch
    {
        RestartPolicy.Always => "always",
        RestartPolicy.Never => "never",
        _ => "on-crash",
    };

    public static bool TryParse(string? text, out RestartPolicy policy)
    {
        policy = RestartPolicy.OnCrash;
        switch (text)
        {
            case null or "" or "on-crash": return true;
            case "always": policy = RestartPolicy.Always; return true;
            case "never": policy = RestartPolicy.Never; return true;
            default: return false;
        }
    }
}
