using System.Text;
using System.Text.Json;
using Cluster.Cli.Output;

namespace Cluster.Cli.Palettes;

/// <summary>audit [show]|stats|status|rebuild, over GET /audit, /audit/stream, /audit/stats, /audit/status, POST /audit/rebuild.</summary>
internal static class AuditPalette
{
    /// <summary>vmc switch → API filter. The node checks the values; a filter it refuses is a usage error (exit 2).</summary>
    private static readonly (SwitchSpec Switch, string Filter)[] Filters =
    [
        (new("--domain", "NAME", "events of this domain"), "domain"),
        (new("--server", "NAME", "events on this server (named by the event, or written there)"), "server"),
        (new("--pool", "POOL", "events of domains and servers in this pool"), "pool"),
        (new("--by", "PRINCIPAL", "events caused by this principal"), "principal"),
        (new("--type", "EVENT", "one event type, e.g. domain.migrated or just migrated"), "type"),
        (new("--since", "TIME", "from TIME: ISO-8601 (2026-11-25T02:00Z) or ago (30m, 2h, 7d)"), "since"),
        (new("--until", "TIME", "before TIME, same forms as --since"), "until"),
    ];

    private static readonly SwitchSpec Limit = new("--limit", "N", "at most N events, the newest (default 100, at most 1000)", Min: 1);
    private static readonly SwitchSpec Follow = new("--follow", null, "then keep printing new events as they happen, until Ctrl-C");

    public static PaletteSpec Spec { get; } = new("audit", "the audit log: every event, who caused it, when, where",
    [
        new("show", "list events, oldest first (the newest --limit of them), optionally following new ones",
            [], [.. Filters.Select(f => f.Switch), Limit, Follow], ShowAsync),
        new("stats", "count events by type and by principal over a window (default: the last day)",
            [], [.. Filters.Select(f => f.Switch)], StatsAsync),
        new("status", "where the audit projection stands: the last journal event it wrote, and whether it runs", [], [], StatusAsync),
        new("rebuild", "empty the audit table and project the whole journal into it again", [], [], RebuildAsync),
    ], DefaultCommand: "show");

    private static Task<int> ShowAsync(CommandContext ctx) => UsageOnBadFilter(ctx, async () =>
    {
        var query = Query(ctx, ctx.Invocation.Value(Limit.Name) is { } n ? [("limit", n)] : []);
        var page = await ctx.Api.GetAsync("audit" + query).ConfigureAwait(false);
        var events = page.Items("events").Reverse().ToList();
        if (ctx.Json && !ctx.Invocation.Has(Follow.Name))
        {
            ctx.WriteJson(page);
            return ExitCodes.Ok;
        }
        var table = new Table("AT", "TYPE", "DOMAIN", "SERVER", "PRINCIPAL", "JOB", "SUMMARY");
        foreach (var e in events)
        {
            if (ctx.Json) ctx.Out.WriteLine(e.GetRawText());
            else table.Add(Row(e));
        }
        if (!ctx.Invocation.Has(Follow.Name))
        {
            if (table.Count == 0) ctx.Out.WriteLine("No events.");
            else table.Write(ctx.Out);
            return ExitCodes.Ok;
        }
        if (!ctx.Json && table.Count > 0) table.Write(ctx.Out);
        return await FollowAsync(ctx, events.Count > 0 ? events[^1].Long("ordering") : null).ConfigureAwait(false);
    });

    /// <summary>Prints each new event as one line (a JSON object per line with --json) until the node ends the stream or Ctrl-C.</summary>
    private static async Task<int> FollowAsync(CommandContext ctx, long? after)
    {
        var query = Query(ctx, after is { } a ? [("after", Json.Invariant(a))] : []);
        try
        {
            await ctx.Api.StreamAsync("audit/stream" + query, e =>
            {
                ctx.Out.WriteLine(ctx.Json ? e.GetRawText() : string.Join("  ", Row(e).Select(Format.Cell)));
                ctx.Out.Flush();
            }, ctx.Options.Cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.Options.Cancel.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        throw new ApiException($"the node at {ctx.Api.Address} ended the audit stream");
    }

    private static Task<int> StatsAsync(CommandContext ctx) => UsageOnBadFilter(ctx, async () =>
    {
        var stats = await ctx.Api.GetAsync("audit/stats" + Query(ctx, [])).ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(stats);
            return ExitCodes.Ok;
        }
        ctx.Out.WriteLine($"Events from {Time(stats.Str("since"))} to {Time(stats.Str("until")) ?? "now"}: {stats.Str("total")}");
        foreach (var (title, key) in new[] { ("TYPE", "byType"), ("PRINCIPAL", "byPrincipal") })
        {
            var table = new Table(title, "EVENTS");
            foreach (var c in stats.Items(key)) table.Add(c.Str("key"), c.Str("count"));
            ctx.Out.WriteLine();
            table.Write(ctx.Out);
        }
        return ExitCodes.Ok;
    });

    private static async Task<int> StatusAsync(CommandContext ctx)
    {
        var s = await ctx.Api.GetAsync("audit/status").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(s);
            return ExitCodes.Ok;
        }
        new Details()
            .Add("Running", s.Str("running"))
            .Add("Offset", s.Str("offset"))
            .Add("Newest row", s.Str("lastOrdering"))
            .Add("Last error", s.Str("lastError"))
            .Write(ctx.Out);
        return ExitCodes.Ok;
    }

    private static async Task<int> RebuildAsync(CommandContext ctx)
    {
        var answer = await ctx.Api.PostAsync("audit/rebuild").ConfigureAwait(false);
        if (ctx.Json)
        {
            ctx.WriteJson(answer);
            return ExitCodes.Ok;
        }
        ctx.Out.WriteLine("audit: rebuilding from the start of the journal; 'vmc audit status' shows the progress");
        return ExitCodes.Ok;
    }

    /// <summary>The columns of one event, shared by the table and the --follow lines.</summary>
    internal static string?[] Row(JsonElement e) =>
        [Time(e.Str("at")), e.Str("type"), e.Str("domain"), e.Str("server"), e.Str("principal"), e.Str("jobId"), e.Str("summary")];

    /// <summary>An API time as UTC to the millisecond, e.g. 2026-11-25T02:13:07.120Z.</summary>
    internal static string? Time(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at)
            ? at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture)
            : text;

    private static string Query(CommandContext ctx, IEnumerable<(string Key, string Value)> extra)
    {
        var pairs = Filters.Where(f => ctx.Invocation.Value(f.Switch.Name) is not null)
            .Select(f => (f.Filter, ctx.Invocation.Value(f.Switch.Name)!))
            .Concat(extra).ToList();
        var sb = new StringBuilder();
        foreach (var (key, value) in pairs) sb.Append(sb.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
        return sb.ToString();
    }

    /// <summary>The node refuses a bad filter with 400 and a sentence naming it: for vmc that is a usage error (exit 2).</summary>
    private static async Task<int> UsageOnBadFilter(CommandContext ctx, Func<Task<int>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (ApiException ex) when (ex.Status == 400)
        {
            throw ctx.Usage(ex.Message);
        }
    }
}
