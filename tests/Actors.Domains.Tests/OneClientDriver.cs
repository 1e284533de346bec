using Vmm.Native;

namespace Actors.Domains.Tests;

/// <summary>
/// The simulated driver with QEMU's one rule the simulation lacks: a VMM has one control connection (QMP serves one
/// client), so adopting a VMM whose handle someone still holds fails until that handle is disposed.
/// </summary>
internal sealed class OneClientDriver(IVmmDriver inner) : IVmmDriver
{
    private readonly HashSet<int> _held = [];

    public string Name => inner.Name;

    public Task CreateDiskAsync(string path, long sizeBytes, CancellationToken ct) => inner.CreateDiskAsync(path, sizeBytes, ct);

    public async Task<IVmmProcess> StartAsync(VmmLaunchSpec spec, CancellationToken ct) => Hold(await inner.StartAsync(spec, ct));

    public async Task<IVmmProcess?> TryAdoptAsync(VmmLaunchSpec spec, CancellationToken ct)
    {
        var process = await inner.TryAdoptAsync(spec, ct);
        if (process is null) return null;
        lock (_held)
            if (_held.Contains(process.Pid))
                throw new VmmException($"the control socket of VMM {process.Pid} serves another client");
        return Hold(process);
    }

    private Handle Hold(IVmmProcess process)
    {
        lock (_held) _held.Add(process.Pid);
        return new Handle(process, () => { lock (_held) _held.Remove(process.Pid); });
    }

    private sealed class Handle(IVmmProcess inner, Action released) : IVmmProcess
    {
        public int Pid => inner.Pid;
        public Task<VmmExit> Exited => inner.Exited;
        public Task<VmmRunState> QueryStatusAsync(CancellationToken ct) => inner.QueryStatusAsync(ct);
        public Task PauseAsync(CancellationToken ct) => inner.PauseAsync(ct);
        public Task ResumeAsync(CancellationToken ct) => inner.ResumeAsync(ct);
        public Task PowerDownAsync(CancellationToken ct) => inner.PowerDownAsync(ct);
        public Task KillAsync() => inner.KillAsync();
        public Task<MigrationResult> MigrateAsync(string host, int port, MigrationSettings settings, IProgress<MigrationProgress>? progress,
            CancellationToken ct) => inner.MigrateAsync(host, port, settings, progress, ct);

        public ValueTask DisposeAsync()
        {
            released();
            return inner.DisposeAsync();
        }
    }
}
