using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vmm.Native.Linux;

namespace Vmm.Native.Qemu;

/// <summary>
/// One live QEMU process of one domain, started by us or adopted after a node restart.
/// <see cref="DisposeAsync"/> detaches: it closes QMP and stops watching, and QEMU keeps running.
/// </summary>
public sealed partial class QemuProcess : IVmmProcess
{
    private readonly string _domain;
    private readonly QemuRunPaths _paths;
    private readonly PidWatch _watch;
    private readonly Process? _child;       // null when adopted (not our child: no exit status)
    private readonly Task<VmmExit> _exited;
    private QmpClient? _qmp;
    private volatile string? _shutdownReason;
    private volatile bool _killedByUs;
    private int _disposed;

    internal QemuProcess(string domain, QemuRunPaths paths, PidWatch watch, Process? child)
    {
        _domain = domain;
        _paths = paths;
        _watch = watch;
        _child = child;
        _exited = ObserveExitAsync();
    }

    public int Pid => _watch.Pid;
    public string DomainName => _domain;
    public QemuRunPaths Paths => _paths;

    /// <summary>True when we started this process (false when adopted).</summary>
    public bool IsChild => _child is not null;

    /// <inheritdoc />
    /// <remarks>Canceled when this handle is disposed (detached) before the process ended.</remarks>
    public Task<VmmExit> Exited => _exited;

    /// <summary>Raised for every QMP event (on the QMP reader thread).</summary>
    public event Action<QmpEvent>? EventReceived;

    internal void Attach(QmpClient qmp) => _qmp = qmp;

    /// <summary>The QMP event sink: pass to <see cref="QmpClient.ConnectAsync"/> before <see cref="Attach"/>.</summary>
    internal void OnQmpEvent(QmpEvent ev)
    {
        if (ev.Name == "SHUTDOWN")
        {
            var reason = ev.Data.ValueKind == JsonValueKind.Object && ev.Data.TryGetProperty("reason", out var r)
                ? r.GetString() : null;
            _shutdownReason = reason ?? "shutdown";
        }
        EventReceived?.Invoke(ev);
    }

    private QmpClient Qmp => _qmp ?? throw new VmmException($"domain {_domain}: no QMP connection");

    private Task<JsonElement> ExecuteAsync(string command, CancellationToken ct) => ExecuteAsync(command, null, ct);

    private async Task<JsonElement> ExecuteAsync(string command, JsonObject? arguments, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_exited.IsCompleted)
            throw new VmmException($"domain {_domain}: QEMU (pid {Pid}) has exited; cannot {command}");
        return await Qmp.ExecuteAsync(command, arguments, ct).ConfigureAwait(false);
    }

    public async Task<VmmRunState> QueryStatusAsync(CancellationToken ct) =>
        ParseStatus(await QueryQemuStatusAsync(ct).ConfigureAwait(false));

    /// <summary>QEMU's own run state as query-status names it: running, paused, prelaunch, inmigrate, postmigrate, ...</summary>
    public async Task<string> QueryQemuStatusAsync(CancellationToken ct)
    {
        var ret = await ExecuteAsync("query-status", ct).ConfigureAwait(false);
        return (ret.TryGetProperty("status", out var s) ? s.GetString() : null) ?? "unknown";
    }

    internal static VmmRunState ParseStatus(string? status) => status switch
    {
        "running" => VmmRunState.Running,
        "paused" => VmmRunState.Paused,
        "prelaunch" => VmmRunState.Prelaunch,
        "shutdown" => VmmRunState.Shutdown,
        _ => VmmRunState.Other,
    };

    public Task PauseAsync(CancellationToken ct) => ExecuteAsync("stop", ct);
    public Task ResumeAsync(CancellationToken ct) => ExecuteAsync("cont", ct);
    public Task PowerDownAsync(CancellationToken ct) => ExecuteAsync("system_powerdown", ct);

    /// <summary>QMP quit: QEMU ends at once (SHUTDOWN host-qmp-quit, so the exit is Expected). Awaits the exit.</summary>
    public async Task<VmmExit> QuitAsync(CancellationToken ct)
    {
        try
        {
            await ExecuteAsync("quit", ct).ConfigureAwait(false);
        }
        catch (VmmException) when (_exited.IsCompleted || !Qmp.IsConnected)
        {
            // QEMU may close the socket before the reply is read.
        }
        return await _exited.WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
    }

    public async Task KillAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_exited.IsCompleted)
        {
            var argv = ProcFs.ReadCmdline(Pid);
            if (argv.Count > 0 && !QemuCommandLine.IsOurs(argv, _domain, _paths))
                throw new VmmException($"domain {_domain}: pid {Pid} is no longer this domain's QEMU ({string.Join(' ', argv.Take(3))}...); not killed");
            // argv empty: gone or a zombie; the pidfd still pins the process, so the signal cannot hit another one.
            _killedByUs = true;
            _watch.Signal(LibC.SIGKILL);
        }
        try
        {
            await _exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new VmmException($"domain {_domain}: QEMU (pid {Pid}) still alive 10 s after SIGKILL");
        }
    }

    private async Task<VmmExit> ObserveExitAsync()
    {
        await _watch.Exited.ConfigureAwait(false); // canceled on detach: Exited is canceled too

        // The SHUTDOWN event (if any) was sent before QEMU exited; let the reader reach end of stream.
        if (_qmp is { } qmp)
            await Task.WhenAny(qmp.Completion, Task.Delay(300)).ConfigureAwait(false);

        int? code = null, signal = null;
        if (_child is not null)
        {
            try
            {
                await _child.WaitForExitAsync().WaitAsync(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                var status = _child.ExitCode; // .NET reports 128+N for death by signal N
                if (status > 128 && status <= 128 + 64) signal = status - 128; else code = status;
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException) { }
        }
        else if (_killedByUs)
        {
            signal = LibC.SIGKILL;
        }

        var shutdown = _shutdownReason;
        string reason;
        bool expected;
        if (shutdown is not null)
        {
            reason = shutdown;
            expected = true;
        }
        else if (signal is { } sig)
        {
            reason = $"killed by signal {sig}";
            expected = false;
        }
        else if (code is { } c)
        {
            // Exit code 0 is QEMU's orderly end even if the SHUTDOWN event went to no client.
            expected = c == 0;
            reason = c == 0 ? "exit code 0" : $"exit code {c}: {_paths.LastLogLine() ?? "(qemu.log empty)"}";
        }
        else
        {
            reason = "exited (not our child: exit status unknown)";
            expected = false;
        }
        return new VmmExit(code, signal, reason, expected);
    }

    /// <summary>Detaches: closes the QMP connection and stops watching; QEMU keeps running (see <see cref="IVmmProcess"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (!_exited.IsCompleted) _watch.Dispose();
        if (_qmp is { } qmp) await qmp.DisposeAsync().ConfigureAwait(false);
        try { await _exited.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _watch.Dispose();
        // The Process object of a child we keep undisposed on purpose when it still runs: .NET reaps it later.
        if (_exited.IsCompletedSuccessfully) _child?.Dispose();
    }
}
