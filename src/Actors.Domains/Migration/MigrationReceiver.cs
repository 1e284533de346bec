using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Actors.Domains.Leases;
using Vmm.Native;

namespace Actors.Domains.Migration;

/// <summary>What the source and the target of a live migration say to each other.</summary>
public static class MigrationMessages
{
    /// <summary>Source → target: start an incoming VMM for this domain (fresh disks of the same sizes).</summary>
    public sealed record Prepare(DomainSpec Spec) : IClusterMessage;
    public sealed record Ready(string Host, int Port) : IClusterMessage;

    /// <summary>Source → target, after the source VMM has stopped: take the lease and run (or stay paused).</summary>
    public sealed record Commit(string Name, bool Resume) : IClusterMessage;
    public sealed record Committed(int Pid) : IClusterMessage;

    /// <summary>Source → target: the migration failed; remove the incoming VMM.</summary>
    public sealed record Abort(string Name) : IClusterMessage;

    public sealed record Refused(string Reason) : IClusterMessage;
}

/// <summary>
/// Node-local end of live migrations into this server (at /user/migration-receiver): starts the incoming VMM,
/// and resumes it only when the source says its VMM has stopped and this server holds the domain's lease.
/// Then it lets go of the VMM, which the domain actor adopts once the domain's shard has moved here.
/// </summary>
public sealed class MigrationReceiver : ReceiveActor
{
    public const string Name = "migration-receiver";

    private sealed record Started(string Domain, IVmmProcess Process, IActorRef ReplyTo, int Port);

    private readonly Dictionary<string, IVmmProcess> _incoming = new();

    public MigrationReceiver(IVmmDriver driver, DomainLayout layout, IDomainLeases leases, string host)
    {
        var log = Context.GetLogger();
        ReceiveAsync<MigrationMessages.Prepare>(async m =>
        {
            var sender = Sender;
            try
            {
                await DropAsync(m.Spec.Name);
                var spec = layout.LaunchSpec(m.Spec);
                // The domain's files here, if any, are left from an earlier stay: the VM now brings its own.
                if (Directory.Exists(layout.DomainDir(m.Spec.Name))) Directory.Delete(layout.DomainDir(m.Spec.Name), true);
                Directory.CreateDirectory(spec.RunDir);
                for (var i = 0; i < spec.DiskPaths.Count; i++)
                    await driver.CreateDiskAsync(spec.DiskPaths[i], m.Spec.DiskSizesBytes[i], CancellationToken.None);
                var port = FreePort(host);
                var process = await driver.StartIncomingAsync(spec, port, CancellationToken.None);
                _incoming[m.Spec.Name] = process;
                sender.Tell(new MigrationMessages.Ready(host, port));
            }
            catch (Exception ex)
            {
                sender.Tell(new MigrationMessages.Refused($"target could not prepare: {ex.Message}"));
            }
        });
        ReceiveAsync<MigrationMessages.Commit>(async m =>
        {
            var sender = Sender;
            if (!_incoming.Remove(m.Name, out var process))
            {
                sender.Tell(new MigrationMessages.Refused($"no incoming VMM for {m.Name} here"));
                return;
            }
            try
            {
                var lease = await leases.TryAcquireAsync(m.Name, CancellationToken.None);
                if (!lease.Granted)
                {
                    await process.KillAsync();
                    sender.Tell(new MigrationMessages.Refused($"the lease is held by {lease.HeldBy}"));
                    return;
                }
                if (m.Resume) await process.ResumeAsync(CancellationToken.None);
                var pid = process.Pid;
                await process.DisposeAsync(); // detach: the domain actor adopts it here
                sender.Tell(new MigrationMessages.Committed(pid));
            }
            catch (Exception ex)
            {
                log.Warning("migration of {0}: target failed to take over: {1}", m.Name, ex.Message);
                sender.Tell(new MigrationMessages.Refused(ex.Message));
            }
        });
        ReceiveAsync<MigrationMessages.Abort>(m => DropAsync(m.Name));
    }

    private async Task DropAsync(string domain)
    {
        if (!_incoming.Remove(domain, out var process)) return;
        try { await process.KillAsync(); }
        catch (VmmException) { }
    }

    // A port free on the address the incoming VMM will listen on (this server's cluster host).
    private static int FreePort(string host)
    {
        using var listener = new TcpListener(IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host)[0], 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static Props Props(IVmmDriver driver, DomainLayout layout, IDomainLeases leases, string host) =>
        Akka.Actor.Props.Create(() => new MigrationReceiver(driver, layout, leases, host));
}
