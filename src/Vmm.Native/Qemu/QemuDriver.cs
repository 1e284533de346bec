using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Vmm.Native.Linux;

namespace Vmm.Native.Qemu;

/// <summary>
/// Runs each domain as a <c>qemu-system-x86_64</c> process controlled over QMP. Installs nothing: QEMU comes
/// from PATH. Processes survive the death of this one and are re-adopted by <see cref="TryAdoptAsync"/>.
/// </summary>
public sealed class QemuDriver(QemuDriverOptions? options = null) : IVmmDriver
{
    private readonly QemuDriverOptions _options = options ?? new QemuDriverOptions();
    private string? _accelerator = options?.Accelerator;

    public string Name => "qemu";

    public QemuDriverOptions Options => _options;

    /// <summary>The accelerator used for new VMs ("tcg" or "kvm"), probed once.</summary>
    public string Accelerator => _accelerator ??= HypervisorProbe.Detect();

    public async Task CreateDiskAsync(string path, long sizeBytes, CancellationToken ct)
    {
        if (sizeBytes <= 0) throw new VmmException($"disk size must be positive, got {sizeBytes} bytes");
        var full = Path.GetFullPath(path);
        if (File.Exists(full) || Directory.Exists(full)) throw new VmmException($"disk image {full} already exists");
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);

        var psi = new ProcessStartInfo(_options.QemuImgBinary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in new[] { "create", "-q", "-f", "qcow2", full, sizeBytes.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new VmmException($"could not start {_options.QemuImgBinary}");
        }
        catch (Win32Exception e)
        {
            throw new VmmException($"{_options.QemuImgBinary} not found (install qemu-utils): {e.Message}", e);
        }
        using (p)
        {
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEndAsync(ct);
            var stderr = p.StandardError.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct).ConfigureAwait(false);
            var err = (await stderr.ConfigureAwait(false)).Trim();
            await stdout.ConfigureAwait(false);
            if (p.ExitCode != 0)
                throw new VmmException($"qemu-img create {full} failed with exit code {p.ExitCode}: {err}");
        }
    }

    public Task<IVmmProcess> StartAsync(VmmLaunchSpec spec, CancellationToken ct) => StartCoreAsync(spec, null, ct);

    /// <inheritdoc />
    public Task<IVmmProcess> StartIncomingAsync(VmmLaunchSpec spec, int port, CancellationToken ct)
    {
        if (port is < 1 or > 65535) throw new VmmException($"incoming migration port must be 1 to 65535, got {port}");
        return StartCoreAsync(spec, port, ct);
    }

    private async Task<IVmmProcess> StartCoreAsync(VmmLaunchSpec spec, int? incomingPort, CancellationToken ct)
    {
        var paths = QemuRunPaths.For(spec);
        var args = QemuCommandLine.Build(spec, paths, Accelerator);
        if (incomingPort is { } port)
            args = [.. args, "-incoming", $"tcp:{_options.MigrationHost}:{port.ToString(CultureInfo.InvariantCulture)}", "-S"];
        var expected = incomingPort is null ? "running" : "inmigrate";
        Directory.CreateDirectory(paths.RunDir);

        // At most one VMM per domain: refuse if a live QEMU of this domain holds the run dir.
        if (ReadPidFile(paths) is { } oldPid && PidWatch.Open(oldPid) is { } oldWatch)
        {
            using (oldWatch)
            {
                if (QemuCommandLine.IsOurs(ProcFs.ReadCmdline(oldPid), spec.DomainName, paths))
                    throw new VmmException($"domain {spec.DomainName} already has a running QEMU (pid {oldPid}) in {paths.RunDir}: adopt it or kill it first");
            }
        }
        foreach (var stale in new[] { paths.PidFile, paths.QmpSocket })
            File.Delete(stale);

        var started = Stopwatch.StartNew();
        var child = QemuLauncher.Launch(_options.QemuBinary, args, paths);
        var watch = PidWatch.Open(child.Id);
        if (watch is null)
        {
            using (child) throw await EarlyExitErrorAsync(child, paths).ConfigureAwait(false);
        }
        var process = new QemuProcess(spec.DomainName, paths, watch, child);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(_options.StartTimeout);
            QmpClient? qmp = null;
            while (qmp is null)
            {
                if (process.Exited.IsCompleted) throw await EarlyExitErrorAsync(child, paths).ConfigureAwait(false);
                if (deadline.IsCancellationRequested)
                {
                    ct.ThrowIfCancellationRequested();
                    throw new VmmException($"{_options.QemuBinary} for domain {spec.DomainName} did not answer on {paths.QmpSocket} within {_options.StartTimeout.TotalSeconds:0.#} s; last qemu.log line: {paths.LastLogLine() ?? "(empty)"}");
                }
                if (File.Exists(paths.QmpSocket))
                {
                    try
                    {
                        qmp = await QmpClient.ConnectAsync(paths.QmpSocket, process.OnQmpEvent, _options.QmpHandshakeTimeout, deadline.Token).ConfigureAwait(false);
                        break;
                    }
                    catch (SocketException) { }
                    catch (VmmException)
                    {
                        if (await ExitsSoonAsync(process).ConfigureAwait(false)) continue;
                        throw;
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested) { continue; }
                }
                try { await Task.Delay(10, deadline.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            }
            process.Attach(qmp);

            string state;
            try
            {
                state = await process.QueryQemuStatusAsync(ct).ConfigureAwait(false);
            }
            catch (VmmException)
            {
                if (await ExitsSoonAsync(process).ConfigureAwait(false)) throw await EarlyExitErrorAsync(child, paths).ConfigureAwait(false);
                throw;
            }
            if (state != expected)
                throw new VmmException($"QEMU for domain {spec.DomainName} reports state {state} after start, expected {expected}");
            LastStartLatency = started.Elapsed;
            return process;
        }
        catch (Exception e)
        {
            try { if (!process.Exited.IsCompleted) await process.KillAsync().ConfigureAwait(false); }
            catch (Exception) { /* report the original error */ }
            await process.DisposeAsync().ConfigureAwait(false);
            if (e is VmmException or OperationCanceledException) throw;
            throw new VmmException($"starting QEMU for domain {spec.DomainName} failed: {e.Message}", e);
        }
    }

    /// <summary>Time from exec to QMP "running" ("inmigrate") of the last successful start (for measurements).</summary>
    public TimeSpan? LastStartLatency { get; private set; }

    public async Task<IVmmProcess?> TryAdoptAsync(VmmLaunchSpec spec, CancellationToken ct)
    {
        QemuCommandLine.ValidateDomainName(spec.DomainName);
        var paths = QemuRunPaths.For(spec);
        if (!File.Exists(paths.PidFile)) return null;
        var pid = ReadPidFile(paths);
        var watch = pid is { } p ? PidWatch.Open(p) : null;
        if (watch is null)
        {
            RemoveStale(paths);
            return null;
        }
        // The pidfd is open now, so the process it names cannot change under us: check it is our QEMU.
        if (!QemuCommandLine.IsOurs(ProcFs.ReadCmdline(watch.Pid), spec.DomainName, paths))
        {
            watch.Dispose();
            RemoveStale(paths); // the pid was reused by another process: never touch it
            return null;
        }
        var process = new QemuProcess(spec.DomainName, paths, watch, child: null);
        try
        {
            process.Attach(await ConnectToAdoptAsync(paths, process, ct).ConfigureAwait(false));
            await process.QueryStatusAsync(ct).ConfigureAwait(false);
            return process;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var diedMeanwhile = process.Exited.IsCompleted;
            // Alive but out of reach: killed, never left running unmanaged. The domain would look stopped while this
            // copy ran on, its lease would be given up, and another server could start it a second time.
            if (!diedMeanwhile) await process.KillAsync().ConfigureAwait(false);
            await process.DisposeAsync().ConfigureAwait(false);
            if (diedMeanwhile) return null;
            throw new VmmException($"QEMU of domain {spec.DomainName} (pid {watch.Pid}) was alive but its QMP socket {paths.QmpSocket} " +
                                   $"did not answer ({e.Message}): killed, since this server could not control it", e);
        }
    }

    /// <summary>
    /// QMP serves one client at a time, and the one before may still be letting go (its socket closed, a busy QEMU
    /// not yet done with it). Until three handshake timeouts have passed, a handshake that times out is tried again,
    /// and so is a connection QEMU refuses for now (EAGAIN: its listen backlog is full while it has not yet accepted
    /// the next client), after a short pause.
    /// </summary>
    private async Task<QmpClient> ConnectToAdoptAsync(QemuRunPaths paths, QemuProcess process, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + _options.QmpHandshakeTimeout * 3;
        while (true)
        {
            try
            {
                return await QmpClient.ConnectAsync(paths.QmpSocket, process.OnQmpEvent, _options.QmpHandshakeTimeout, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VmmException or SocketException { SocketErrorCode: SocketError.TryAgain or SocketError.WouldBlock }
                                      && DateTime.UtcNow < deadline && !process.Exited.IsCompleted)
            {
                if (e is SocketException) await Task.Delay(200, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A QMP failure during start is usually QEMU dying (it listens before it checks everything).</summary>
    private static async Task<bool> ExitsSoonAsync(QemuProcess process)
    {
        await Task.WhenAny(process.Exited, Task.Delay(1000)).ConfigureAwait(false);
        return process.Exited.IsCompleted;
    }

    private static int? ReadPidFile(QemuRunPaths paths)
    {
        try
        {
            var text = File.ReadAllText(paths.PidFile).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void RemoveStale(QemuRunPaths paths)
    {
        try { File.Delete(paths.PidFile); } catch (IOException) { }
    }

    private async Task<VmmException> EarlyExitErrorAsync(Process child, QemuRunPaths paths)
    {
        string status;
        try
        {
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            status = child.ExitCode > 128 ? $"was killed by signal {child.ExitCode - 128}" : $"exited with code {child.ExitCode}";
        }
        catch (TimeoutException)
        {
            status = "exited";
        }
        return new VmmException($"{_options.QemuBinary} {status} before QMP answered: {paths.LastLogLine() ?? "(qemu.log empty)"}");
    }
}
