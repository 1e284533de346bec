using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vmm.Native.Qemu;

/// <summary>Live migration of the source side (QMP migrate, query-migrate, migrate_cancel).</summary>
public sealed partial class QemuProcess
{
    /// <summary>QEMU's downtime-limit we set: the longest stop-and-copy phase it plans for (QEMU's default too).</summary>
    public static readonly TimeSpan MigrationDowntimeLimit = TimeSpan.FromMilliseconds(300);

    /// <summary>How often query-migrate is polled (after the first polls at 10, 20, 40 and 80 ms).</summary>
    public static readonly TimeSpan MigrationPollInterval = TimeSpan.FromMilliseconds(100);

    private int _migrating;

    /// <summary>One query-migrate answer, RAM and disk counters added up.</summary>
    /// <param name="Status">none, setup, active, cancelling, cancelled, completed, failed, ... ("none" when never migrated).</param>
    public sealed record MigrationInfo(string Status, string? Error, long Transferred, long Total, long Remaining,
        long DiskTransferred, long? TotalTimeMs, long? DowntimeMs);

    /// <inheritdoc />
    public async Task<MigrationResult> MigrateAsync(string host, int port, MigrationSettings settings,
        IProgress<MigrationProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(host) || host.Any(c => c is ',' or '/' or '[' or ']' || char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new VmmException($"migration host '{host}' is not a host name or address");
        if (port is < 1 or > 65535) throw new VmmException($"migration port must be 1 to 65535, got {port}");
        if (settings.Timeout <= TimeSpan.Zero) throw new VmmException($"migration timeout must be positive, got {settings.Timeout}");
        if (settings.MaxBandwidthBytesPerSecond <= 0)
            throw new VmmException($"migration bandwidth must be positive, got {settings.MaxBandwidthBytesPerSecond} bytes/s");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _migrating, 1) != 0)
            throw new VmmException($"domain {_domain}: a migration of this VMM is already in progress");
        try
        {
            return await MigrateCoreAsync(host, port, settings, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _migrating, 0);
        }
    }

    private async Task<MigrationResult> MigrateCoreAsync(string host, int port, MigrationSettings settings,
        IProgress<MigrationProgress>? progress, CancellationToken ct)
    {
        var endpoint = (host.Contains(':') ? $"[{host}]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);
        var what = $"live migration of domain {_domain} (pid {Pid}) to {endpoint}";

        bool wasRunning;
        try
        {
            var state = await QueryQemuStatusAsync(ct).ConfigureAwait(false);
            if (state is not ("running" or "paused"))
                throw new VmmException($"{what}: cannot migrate a VMM in state {state}");
            wasRunning = state == "running";
            var before = await QueryMigrationAsync(ct).ConfigureAwait(false);
            if (!IsFinal(before.Status))
                throw new VmmException($"{what}: a migration is already in progress (status {before.Status})");
            var copyDisks = settings.CopyDisks && await HasDisksAsync(ct).ConfigureAwait(false);

            // Capabilities and parameters stay set in QEMU between migrations: set every one we use each time.
            await ExecuteAsync("migrate-set-capabilities", new JsonObject
            {
                ["capabilities"] = new JsonArray(
                    Capability("events", true),
                    Capability("auto-converge", settings.AutoConverge),
                    Capability("block", copyDisks)),
            }, ct).ConfigureAwait(false);
            await ExecuteAsync("migrate-set-parameters", new JsonObject
            {
                ["max-bandwidth"] = settings.MaxBandwidthBytesPerSecond,
                ["downtime-limit"] = (long)MigrationDowntimeLimit.TotalMilliseconds,
            }, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (ct.IsCancellationRequested)
        {
            throw new VmmException($"{what} failed: canceled before it started", e);
        }

        var clock = Stopwatch.StartNew();
        string failure;
        Exception? inner = null;
        long diskTransferred = 0;
        MigrationInfo? last = null;
        var polls = 0;
        try
        {
            await ExecuteAsync("migrate", new JsonObject { ["uri"] = "tcp:" + endpoint }, ct).ConfigureAwait(false);
            while (true)
            {
                var info = await QueryMigrationAsync(ct).ConfigureAwait(false);
                diskTransferred = Math.Max(diskTransferred, info.DiskTransferred);
                if (last is null || info.Status != last.Status || info.Transferred != last.Transferred || info.Remaining != last.Remaining)
                    progress?.Report(new MigrationProgress(info.Status, info.Transferred, info.Total, info.Remaining));
                last = info;
                if (info.Status == "completed")
                    return await CompletedAsync(info, diskTransferred, clock.Elapsed, ct).ConfigureAwait(false);
                if (info.Status == "failed")
                {
                    failure = info.Error ?? "QEMU reports status failed";
                    break;
                }
                if (info.Status == "cancelled")
                {
                    failure = "canceled by another QMP client";
                    break;
                }
                if (clock.Elapsed >= settings.Timeout)
                {
                    failure = $"timed out after {settings.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s " +
                              $"(status {info.Status}, {info.Transferred} of {info.Total} bytes sent, {info.Remaining} remaining)";
                    break;
                }
                // 10, 20, 40, 80, then every 100 ms: a small VM is done in a few ms.
                var wait = TimeSpan.FromMilliseconds(Math.Min(MigrationPollInterval.TotalMilliseconds, 10 << Math.Min(polls++, 4)));
                var left = settings.Timeout - clock.Elapsed;
                await Task.Delay(left < wait ? left : wait, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException e) when (ct.IsCancellationRequested)
        {
            failure = "canceled";
            inner = e;
        }
        catch (VmmException e)
        {
            // The migrate command refused (e.g. a bad URI), or QMP failed (QEMU died?).
            failure = e.Message;
            inner = e;
        }

        if (_exited.IsCompleted)
            throw new VmmException($"{what} failed: {failure}; the source QEMU has exited", inner);
        var recovery = await AbortMigrationAsync(wasRunning).ConfigureAwait(false);
        throw new VmmException($"{what} failed: {failure}{recovery}", inner);
    }

    private static JsonObject Capability(string name, bool state) => new() { ["capability"] = name, ["state"] = state };

    private static bool IsFinal(string status) => status is "none" or "completed" or "failed" or "cancelled";

    /// <summary>QEMU sets "completed" before it computes total-time and downtime: ask again until they are there.</summary>
    private async Task<MigrationResult> CompletedAsync(MigrationInfo info, long diskTransferred, TimeSpan ourClock, CancellationToken ct)
    {
        for (var i = 0; i < 25 && info.TotalTimeMs is null or 0; i++)
        {
            await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
            try { info = await QueryMigrationAsync(CancellationToken.None).ConfigureAwait(false); }
            catch (VmmException) { break; }
        }
        var total = info.TotalTimeMs is > 0 ? TimeSpan.FromMilliseconds(info.TotalTimeMs.Value) : ourClock;
        var downtime = TimeSpan.FromMilliseconds(info.DowntimeMs ?? 0);
        return new MigrationResult(total, downtime, info.Transferred + Math.Max(diskTransferred, info.DiskTransferred));
    }

    /// <summary>
    /// migrate_cancel, wait for the migration to end, and make sure the source runs again when it ran before.
    /// Never throws: returns a note for the error message (empty when all went as it should).
    /// </summary>
    private async Task<string> AbortMigrationAsync(bool wasRunning)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var ct = deadline.Token;
        var note = "";
        try
        {
            try { await ExecuteAsync("migrate_cancel", ct).ConfigureAwait(false); }
            catch (VmmException) when (!_exited.IsCompleted) { /* already over: the status below tells */ }

            MigrationInfo info;
            while (!IsFinal((info = await QueryMigrationAsync(ct).ConfigureAwait(false)).Status))
                await Task.Delay(20, ct).ConfigureAwait(false);
            if (info.Status == "completed")
                note = "; the migration completed while it was being canceled: the source was told to continue and the target must not be resumed";

            // QEMU resumes a source that ran before on its own after failed/cancelled; wait for that, then insist.
            var state = await QueryQemuStatusAsync(ct).ConfigureAwait(false);
            if (wasRunning)
            {
                for (var i = 0; i < 50 && state != "running"; i++)
                {
                    await Task.Delay(20, ct).ConfigureAwait(false);
                    state = await QueryQemuStatusAsync(ct).ConfigureAwait(false);
                }
                if (state != "running")
                {
                    await ExecuteAsync("cont", ct).ConfigureAwait(false);
                    state = await QueryQemuStatusAsync(ct).ConfigureAwait(false);
                }
                if (state != "running") note += $"; the source did not run again (state {state})";
            }
            return note;
        }
        catch (Exception e) when (e is VmmException or OperationCanceledException or ObjectDisposedException)
        {
            var reason = e is OperationCanceledException ? "no answer within 15 s" : e.Message;
            return note + (_exited.IsCompleted
                ? "; the source QEMU has exited"
                : $"; canceling the migration on the source failed too: {reason}");
        }
    }

    /// <summary>query-migrate, RAM and disk counters added up.</summary>
    public async Task<MigrationInfo> QueryMigrationAsync(CancellationToken ct)
    {
        var ret = await ExecuteAsync("query-migrate", ct).ConfigureAwait(false);
        var status = ret.TryGetProperty("status", out var s) ? s.GetString() ?? "none" : "none";
        var error = ret.TryGetProperty("error-desc", out var e) ? e.GetString() : null;
        var (ramSent, ramTotal, ramLeft) = Counters(ret, "ram");
        var (diskSent, diskTotal, diskLeft) = Counters(ret, "disk");
        return new MigrationInfo(status, error, ramSent + diskSent, ramTotal + diskTotal, ramLeft + diskLeft, diskSent,
            Number(ret, "total-time"), Number(ret, "downtime"));
    }

    private static (long Transferred, long Total, long Remaining) Counters(JsonElement ret, string section) =>
        ret.TryGetProperty(section, out var c) && c.ValueKind == JsonValueKind.Object
            ? (Number(c, "transferred") ?? 0, Number(c, "total") ?? 0, Number(c, "remaining") ?? 0)
            : (0, 0, 0);

    private static long? Number(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    /// <summary>Whether the VM has a block device with an inserted, writable image (what block migration copies).</summary>
    private async Task<bool> HasDisksAsync(CancellationToken ct)
    {
        var ret = await ExecuteAsync("query-block", ct).ConfigureAwait(false);
        if (ret.ValueKind != JsonValueKind.Array) return false;
        foreach (var dev in ret.EnumerateArray())
        {
            if (!dev.TryGetProperty("inserted", out var ins) || ins.ValueKind != JsonValueKind.Object) continue;
            if (ins.TryGetProperty("ro", out var ro) && ro.ValueKind == JsonValueKind.True) continue;
            return true;
        }
        return false;
    }
}
