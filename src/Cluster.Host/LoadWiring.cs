using Akka.Actor;
using Actors.Domains;
using Actors.Domains.Index;
using Actors.Servers.Load;
using Vmm.Native;

namespace Cluster.Host;

/// <summary>The node's load sampler: this server's running domains from the domain index, their VMMs from /proc.</summary>
public static class LoadWiring
{
    public static void Start(ActorSystem system, NodeOptions options, DomainLayout layout)
    {
        var domains = new DomainIndex(system);
        var loads = new LoadIndex(system);
        var domainsDir = layout.DomainsDir;
        var ports = new LoadSamplerPorts(
            async () => [.. (await domains.ReadAsync()).Values.Where(d => d.Server == options.Name && d.UsesResources).Select(d => d.Name)],
            () => LocalVmms.ByDomain(domainsDir),
            load => loads.Publish(options.Name, load));
        var interval = system.Settings.Config.GetTimeSpan("vmc.load.sample-interval", TimeSpan.FromSeconds(2));
        system.ActorOf(LoadSampler.Props(ports, options.LoadSource, interval), "load-sampler");
    }
}
