using Akka.Actor;
using Akka.Event;

namespace Actors.Servers;

/// <summary>
/// Node-local: registers this node as a server entity when the node starts, retrying until the entity
/// acknowledges (the journal may not be reachable at the very first attempt), then publishes it in the
/// replicated server index as the entity has it (with its persisted pool).
/// </summary>
public sealed class ServerAgent : ReceiveActor, IWithTimers
{
    private sealed record Attempt;

    public ServerAgent(IActorRef servers, ServerCommands.Register registration, Action<ServerView> publish)
    {
        var log = Context.GetLogger();
        Receive<Attempt>(_ => servers.Ask<ServerReplies.Registered>(registration, TimeSpan.FromSeconds(5))
            .PipeTo(Self, Self, r => r, ex => new Status.Failure(ex)));
        Receive<ServerReplies.Registered>(r =>
        {
            log.Info("node ready: server {0} registered in pool {1} ({2} CPUs, {3} MiB, {4}, QEMU {5})", r.Server.Name, r.Server.Pool,
                r.Server.Cpus, r.Server.MemoryMiB, r.Server.Hypervisor, r.Server.QemuVersion ?? "not installed");
            Timers.CancelAll();
            publish(r.Server);
        });
        Receive<Status.Failure>(f =>
        {
            log.Warning("server {0}: registration failed ({1}); retrying", registration.Name, f.Cause.Message);
            Timers.StartSingleTimer("retry", new Attempt(), TimeSpan.FromSeconds(1));
        });
        Self.Tell(new Attempt());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="publish">Where the registered server is announced (the replicated <see cref="ServerIndex"/>).</param>
    public static Props Props(IActorRef servers, ServerCommands.Register registration, Action<ServerView> publish) =>
        Akka.Actor.Props.Create(() => new ServerAgent(servers, registration, publish));
}
