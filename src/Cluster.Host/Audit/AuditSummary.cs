using static Actors.Domains.DomainEvents;

namespace Cluster.Host.Audit;

/// <summary>One readable line per domain event, stored with the audit row: the timeline and the tables show it as is.</summary>
public static class AuditSummary
{
    public static string Of(IDomainEvent e) => e switch
    {
        Created c => $"created: {c.Spec.Vcpus} vCPU, {c.Spec.MemoryMiB} MiB, {c.Spec.DiskSizesBytes.Count} disk(s), pool {c.Spec.Pool}{(c.Spec.Ha ? ", HA" : "")}",
        StartRequested => "start requested",
        StopRequested s => $"stop requested (kill after {s.TimeoutSeconds} s)",
        KillRequested => "kill requested",
        RestartRequested r => $"restart requested (kill after {r.TimeoutSeconds} s)",
        PauseRequested => "pause requested",
        ResumeRequested => "resume requested",
        Deleted => "deleted",
        Started s => $"started on {s.Server} (pid {s.Pid})",
        Adopted a => $"adopted on {a.Server} (pid {a.Pid}{(a.Paused ? ", paused" : "")})",
        StartFailed f => $"start failed: {f.Reason}",
        Paused => "paused",
        Resumed => "resumed",
        Stopped s => $"stopped: {s.Reason}",
        Crashed c => $"crashed: {c.Reason}{(c.WillRestart ? "; restarting" : "")}",
        VmmLost l => $"VMM lost: {l.Reason}{(l.KeepDesired ? "" : "; stays stopped")}",
        MigrationRequested m => $"migration to {m.To} requested",
        Migrated m => $"migrated {m.From} -> {m.To} in {m.TotalMs} ms (downtime {m.DowntimeMs} ms)",
        MigrationFailed f => $"migration to {f.To} failed: {f.Reason}",
        Placed p => $"{p.Kind}: {(p.From is null ? "" : $"{p.From} -> ")}{p.Reason}{(p.Starts ? "" : "; stays stopped")}",
        _ => e.GetType().Name,
    };
}
