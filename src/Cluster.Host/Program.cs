using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Actors.Domains;
using Actors.Domains.Catalog;
using Actors.Domains.Jobs;
using Actors.Servers;
using Actors.Servers.Pools;
using Actors.Servers.Scheduling;
using Cluster.Host;
using Cluster.Host.Api;
using Cluster.Host.Audit;
using Cluster.Host.Auth;
using Cluster.Host.Fencing;
using Cluster.Host.Persistence;

var (options, optionError) = NodeOptions.Parse(args, Environment.GetEnvironmentVariable);
if (options is null)
{
    Console.Error.WriteLine($"error: {optionError}");
    Console.Error.WriteLine(NodeOptions.Usage);
    return 2;
}

System.Security.Cryptography.X509Certificates.X509Certificate2? clusterCert = null;
if (options.ClusterCert is { } certPath)
{
    (clusterCert, var certError) = ClusterTls.Load(certPath, options.ClusterCertPassword?.Value);
    if (clusterCert is null)
    {
        Console.Error.WriteLine($"error: {certError}");
        return 2;
    }
}

try
{
    Directory.CreateDirectory(options.DataDir);
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: cannot create the data dir {options.DataDir}: {ex.Message}");
    return 1;
}

var db = DatabaseSetup.For(options);
try
{
    db.Prepare();
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: cannot open the database ({db.Description}): {ex.Message}");
    return 1;
}

var auditDb = AuditDatabase.For(db);
try
{
    await auditDb.InitializeAsync();
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: cannot create the audit tables ({db.Description}): {ex.Message}");
    return 1;
}

var tokens = new TokenStore(auditDb);
try
{
    if (await tokens.InitializeAsync() is { } adminToken)
    {
        try
        {
            AdminTokenFile.Write(options.DataDir, adminToken);
        }
        catch
        {
            await tokens.DeleteAsync(TokenStore.BootstrapName); // nobody holds it: let the next start make one again
            throw;
        }
        Console.Error.WriteLine($"first start: an admin token is in {AdminTokenFile.PathIn(options.DataDir)} (owner-only); vmc reads it with --token-file");
    }
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: cannot prepare the API tokens ({db.Description}): {ex.Message}");
    return 1;
}

var hocon = NodeConfig.Build(options, db);
Vmm.Native.IVmmDriver driver;
Vmm.Native.HostFacts facts;
try
{
    (driver, facts) = await VmmSelection.ChooseAsync(options.Vmm, options.Hostname,
        Akka.Configuration.ConfigurationFactory.ParseString(hocon).GetConfig("vmc.simulated-server"));
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

NodeFencing? fencing;
try
{
    fencing = NodeFencing.ForSharedDatabase(options, db, hocon);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

BalancingSettings balancing;
try
{
    balancing = BalancingSettings.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString(hocon).GetConfig("vmc.balance"));
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls($"http://{options.ApiHost}:{options.ApiPort}");
builder.Logging.ClearProviders().AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.UseUtcTimestamp = true;
    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
});
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton<NodeDirectory>();
builder.Services.AddSingleton<ClusterView>();
builder.Services.AddSingleton<StartPlacement>();
builder.Services.AddSingleton<Evacuation>();
builder.Services.AddSingleton(new AuditReader(auditDb));
builder.Services.AddSingleton(tokens);
var callers = new CallerCache(tokens);
builder.Services.AddSingleton(callers);
OpenApiDocument.AddTo(builder.Services);

var layout = new DomainLayout(options.DataDir);
var singleton = new ClusterSingletonOptions { Role = "server" };
var sharding = new ShardOptions
{
    Role = "server",
    StateStoreMode = StateStoreMode.DData,
    RememberEntities = false,
    JournalPluginId = "akka.persistence.journal.sharding",
    SnapshotPluginId = "akka.persistence.snapshot-store.sharding",
};

builder.Services.AddAkka(NodeOptions.SystemName, (akka, _) =>
{
    akka.AddHocon(hocon, HoconAddMode.Prepend)
        .AddSetup(JournalDataOptions.Setup(db));
    if (clusterCert is not null) akka.AddSetup(ClusterTls.Setup(clusterCert));
    akka
        .ConfigureLoggers(l =>
        {
            l.ClearLoggers();
            l.AddLoggerFactory();
        })
        .WithSingleton<DomainCatalog>("domain-catalog", EntityCatalog.Props("domains"), singleton)
        .WithSingleton<ServerCatalog>("server-catalog", EntityCatalog.Props("servers"), singleton)
        .WithSingleton<PoolCatalog>("pool-catalog", EntityCatalog.Props("pools"), singleton)
        .WithShardRegion<ServerRegion>("server", (system, registry, _) =>
            {
                var catalog = registry.Get<ServerCatalog>();
                var index = new ServerIndex(system);
                return name => ServerEntity.Props(name, catalog, index.Publish);
            },
            new OneShardPerEntity<IServerMessage>(), sharding)
        .WithShardRegion<PoolRegion>("pool", (system, registry, _) =>
            {
                var catalog = registry.Get<PoolCatalog>();
                var index = new PoolIndex(system);
                return name => PoolEntity.Props(name, catalog, index.Publish);
            },
            new OneShardPerEntity<IPoolMessage>(), sharding)
        .WithActors((system, registry) =>
        {
            registry.Register<JobBookKey>(system.ActorOf(Props.Create<JobBook>(), "jobs"));
            var registration = new ServerCommands.Register(options.Name, options.SelfAddress, options.Pool, facts);
            system.ActorOf(ServerAgent.Props(registry.Get<ServerRegion>(), registration, new ServerIndex(system).Publish), "server-agent");
            fencing?.Start(system);
            DomainWiring.Start(system, registry, options, driver, layout, fencing);
            LoadWiring.Start(system, options, layout);
            system.ActorOf(CatalogWakeup.Props(registry.Get<DomainCatalog>(), registry.Get<DomainRegion>(),
                name => new DomainCommands.Get(name), () => [.. Vmm.Native.LocalVmms.ByDomain(layout.DomainsDir).Keys]), "domain-wakeup");
            // Each pool publishes its settings for the scheduler when it recovers (a pool never changed has the defaults).
            system.ActorOf(CatalogWakeup.Props(registry.Get<PoolCatalog>(), registry.Get<PoolRegion>(),
                name => new PoolCommands.Get(name)), "pool-wakeup");
        })
        .WithSingleton<FailoverManagerKey>("failover-manager",
            (system, registry, _) => FailoverManager.Props(DomainWiring.SchedulerPorts(system, registry)), singleton)
        .WithSingleton<BalancingManagerKey>("balancer", (system, registry, _) => BalanceWiring.Props(system, registry, balancing), singleton)
        .WithSingleton<AuditProjectorKey>("audit-projection",
            (system, _, _) => AuditProjector.Props(new AuditStore(auditDb), AuditSettings.From(system.Settings.Config)), singleton);
});

var app = builder.Build();
ErrorHandling.Use(app);
ApiAuth.Use(app, callers);
ClusterView.Map(app);
ClusterMemberRoutes.Map(app);
ClusterEventStream.Map(app);
ShardRoutes.Map(app);
ServerRoutes.Map(app);
PoolRoutes.Map(app);
GroupRoutes.Map(app);
DomainRoutes.Map(app);
JobRoutes.Map(app);
AuditRoutes.Map(app);
BalanceRoutes.Map(app);
TokenRoutes.Map(app);
OpenApiDocument.Map(app);
app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
    "node {Name} starting: cluster {Address}, API http://{ApiHost}:{ApiPort}, {Db}, VMM {Vmm} ({Hypervisor}), data {DataDir}",
    options.Name, options.SelfAddress, options.ApiHost, options.ApiPort, db.Description, driver.Name, facts.Hypervisor, options.DataDir));

try
{
    await app.RunAsync();
    return 0;
}
catch (IOException ex) when (ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"error: cannot listen on {options.ApiHost}:{options.ApiPort}: {ex.Message}");
    return 1;
}
