namespace JournalBench;

/// <summary>How results are printed.</summary>
public static class Report
{
    public static string Line(WorkloadResult r) =>
        $"{r.CommandsPerSecond:0} cmd/s, {r.EventsPerSecond:0} events/s, ack p50 {r.P50Ms:0.0} ms p99 {r.P99Ms:0.0} ms, " +
        $"CPU {r.CpuUsPerEvent:0} us/event {r.CpuUsPerCommand:0} us/command" +
        (r.Rejections > 0 ? $", {r.Rejections} rejected" : "");

    /// <summary>
    /// The closing line of a database: commands per second of the node's configuration, its journal rows per second
    /// against the raw loop's, and its commands per second against the plugin's defaults.
    /// </summary>
    public static string Summary(string kind, double raw, WorkloadResult byDefault, WorkloadResult project) =>
        $"{kind}: {project.CommandsPerSecond:0} cmd/s, {100 * project.EventsPerSecond / raw:0}% of raw, " +
        $"{project.CommandsPerSecond / byDefault.CommandsPerSecond:0.0}x default";
}
