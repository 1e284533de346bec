using Cluster.Cli.Output;

namespace Cluster.Cli.Palettes;

/// <summary>
/// domain history NAME: the domain's events from the audit log as a timeline (what happened, on which server,
/// who caused it, under which job), then the servers it ran on and who acted on it.
/// </summary>
internal static class DomainHistory
{
    private static readonly string[] RunsOn = ["domain.started", "domain.adopted", "domain.migrated"];

    public static readonly SwitchSpec Limit = new("--limit", "N", "the newest N events (default 100, at most 1000)", Min: 1);

    public static async Task<int> RunAsync(CommandContext ctx)
    {
        var name = ctx.Arg("NAME");
        var limit = ctx.Invocation.Int(Limit.Name, 1, ctx.Palette.Name);
        var page = await ctx.Api.GetAsync($"audit?domain={Uri.EscapeDataString(name)}{(limit is { } n ? $"&limit={Json.Invariant(n)}" : "")}")
            .ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(page);
            return ExitCodes.Ok;
        }
        var events = page.Items("events").Reverse().ToList();
        if (events.Count == 0)
        {
            ctx.Out.WriteLine($"No events of domain {name} in the audit log.");
            return ExitCodes.Ok;
        }
        var first = AuditPalette.Time(events[0].Str("at"));
        var last = AuditPalette.Time(events[^1].Str("at"));
        ctx.Out.WriteLine($"{name}: {events.Count} events from {first} to {last}{(page.Str("next") is null ? "" : " (older ones left out: use --limit)")}");
        ctx.Out.WriteLine();
        var timeline = new Table("AT", "SERVER", "BY", "WHAT", "JOB");
        foreach (var e in events)
        {
            timeline.Add(AuditPalette.Time(e.Str("at")), e.Str("server"), e.Str("principal"), e.Str("summary"), e.Str("jobId"));
        }
        timeline.Write(ctx.Out);
        ctx.Out.WriteLine();
        // A run on a server begins with the first start, adoption or migration there after a run elsewhere.
        var servers = new List<string>();
        string? current = null;
        foreach (var e in events.Where(e => RunsOn.Contains(e.Str("type")) && e.Str("server") != current))
        {
            current = e.Str("server");
            servers.Add($"{current} (from {AuditPalette.Time(e.Str("at"))})");
        }
        var principals = events.GroupBy(e => e.Str("principal") ?? Format.None)
            .Select(g => $"{g.Key} ({g.Count()})");
        new Details()
            .Add("Ran on", servers.Count == 0 ? null : string.Join(", ", servers))
            .Add("Who", string.Join(", ", principals))
            .Write(ctx.Out);
        return ExitCodes.Ok;
    }
}
