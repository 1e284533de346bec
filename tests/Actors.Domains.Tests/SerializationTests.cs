using System.Runtime.Serialization;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Actors.Domains.Catalog;
using Actors.Domains.Serialization;
using Actors.Servers;
using Actors.Servers.Pools;
using Actors.Servers.Scheduling;
using Vmm.Native;
using static Actors.Domains.DomainEvents;

namespace Actors.Domains.Tests;

/// <summary>The journal's wire format: every manifest round-trips, and the format does not drift unnoticed.</summary>
public sealed class SerializationTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTimeOffset At = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly EventMeta Meta = new("alice", At, "j-1", "node1");
    private static readonly DomainSpec Spec = new("web1", 2, 512, [1L << 30, 10L << 30], RestartPolicy.Always, "/boot/vmlinuz", "/boot/initrd.img", "console=ttyS0");

    public SerializationTests() : base(SqliteTestKit.Config(Path.GetTempPath())) { }

    private static readonly PoolSettings Gpu = new("gpu", PlacementPolicy.CurrentServer, false, new LoadThresholds(70, 85, TimeSpan.FromMinutes(5)), true);

    /// <summary>One sample per event type; a manifest added without a sample here fails the test below.</summary>
    private static readonly Dictionary<Type, object> Samples = new()
    {
        [typeof(Created)] = new Created("web1", Spec, Meta),
        [typeof(StartRequested)] = new StartRequested("web1", Meta),
        [typeof(StopRequested)] = new StopRequested("web1", 30, Meta),
        [typeof(DomainEvents.KillRequested)] = new DomainEvents.KillRequested("web1", Meta),
        [typeof(RestartRequested)] = new RestartRequested("web1", 15, Meta),
        [typeof(PauseRequested)] = new PauseRequested("web1", Meta),
        [typeof(ResumeRequested)] = new ResumeRequested("web1", Meta with { JobId = null }),
        [typeof(Deleted)] = new Deleted("web1", Meta),
        [typeof(Started)] = new Started("web1", "node1", 10_000_001, Meta),
        [typeof(Adopted)] = new Adopted("web1", "node1", 10_000_001, true, Meta),
        [typeof(StartFailed)] = new StartFailed("web1", "qemu: could not open disk", Meta),
        [typeof(DomainEvents.Paused)] = new DomainEvents.Paused("web1", Meta),
        [typeof(Resumed)] = new Resumed("web1", Meta),
        [typeof(DomainEvents.Stopped)] = new DomainEvents.Stopped("web1", "guest-shutdown", Meta),
        [typeof(Crashed)] = new Crashed("web1", "killed by signal 9", true, Meta with { Principal = "system", JobId = null }),
        [typeof(VmmLost)] = new VmmLost("web1", "VMM not found after the node restarted", Meta),
        [typeof(Actors.Domains.Index.DomainIndexEntry)] = new Actors.Domains.Index.DomainIndexEntry("web1", "node1", "default", "running", "running", true, 1, 128, At),
        [typeof(MigrationRequested)] = new MigrationRequested("web1", "node2", Meta),
        [typeof(Migrated)] = new Migrated("web1", "node1", "node2", 4242, 1624, 231, Meta),
        [typeof(MigrationFailed)] = new MigrationFailed("web1", "node2", "timed out after 120 s", Meta),
        [typeof(CatalogEvents.EntryAdded)] = new CatalogEvents.EntryAdded("web1", At),
        [typeof(CatalogEvents.EntryRemoved)] = new CatalogEvents.EntryRemoved("web1", At),
        [typeof(ServerEvents.Registered)] = new ServerEvents.Registered("node1", "akka.tcp://vmc@10.0.0.1:4053", "default",
            new HostFacts(16, 65536, "kvm", "8.2.2", "qemu"), Meta with { Principal = "system", JobId = null }),
        [typeof(ServerView)] = new ServerView("node1", "akka.tcp://vmc@10.0.0.1:4053", "default", 16, 65536, "kvm", "8.2.2", "qemu", At),
        [typeof(Placed)] = new Placed("web1", "failover", "node3", "node1", "node1: best fit, 1.2 GiB free", Meta with { Principal = "system" }, Starts: false),
        [typeof(ServerEvents.PoolChanged)] = new ServerEvents.PoolChanged("node1", "gpu", Meta),
        [typeof(ServerEvents.MaintenanceChanged)] = new ServerEvents.MaintenanceChanged("node1", true, Meta),
        [typeof(PoolEvents.Created)] = new PoolEvents.Created("gpu", Gpu, Meta),
        [typeof(PoolEvents.Changed)] = new PoolEvents.Changed("gpu", Gpu with { Ha = true }, Meta),
        [typeof(PoolEvents.Deleted)] = new PoolEvents.Deleted("gpu", Meta),
        [typeof(PoolEvents.GroupCreated)] = new PoolEvents.GroupCreated("gpu", "web", Meta),
        [typeof(PoolEvents.GroupMembersAdded)] = new PoolEvents.GroupMembersAdded("gpu", "web", ["web1", "web2"], Meta),
        [typeof(PoolEvents.GroupMembersRemoved)] = new PoolEvents.GroupMembersRemoved("gpu", "web", ["web2"], Meta),
        [typeof(PoolEvents.GroupDeleted)] = new PoolEvents.GroupDeleted("gpu", "web", Meta),
        [typeof(PoolEntry)] = new PoolEntry(Gpu, [new AntiAffinityGroup("web", "gpu", ["web1", "web2"])]),
        [typeof(Actors.Servers.Load.ServerLoad)] = new Actors.Servers.Load.ServerLoad(93.5, 41.25,
            new Dictionary<string, double> { ["web1"] = 48.2, ["db1"] = 45.3 }, At),
    };

    private const string PoolCreatedGolden =
        """{"name":"gpu","settings":{"name":"gpu","policy":"current-server","ha":false,"thresholds":{"cpuPercent":70,"memoryPercent":85,"sustainFor":"00:05:00"},"balancing":true},"meta":{"principal":"alice","at":"2024-05-01T12:00:00+00:00","jobId":"j-1","node":"node1"}}""";

    [Fact]
    public void Golden_json_of_a_pool_is_stable()
    {
        var serializer = new ServerEventSerializer((ExtendedActorSystem)Sys);
        Assert.Equal(PoolCreatedGolden, Encoding.UTF8.GetString(serializer.ToBinary(Samples[typeof(PoolEvents.Created)])));
    }

    public static TheoryData<string> DomainManifests() => [.. DomainEventSerializer.Manifests.Keys];
    public static TheoryData<string> ServerManifests() => [.. ServerEventSerializer.Manifests.Keys];

    private static void AssertRoundTrip(ManifestJsonSerializer serializer, IReadOnlyDictionary<string, Type> manifests, string manifest)
    {
        var type = manifests[manifest];
        Assert.True(Samples.TryGetValue(type, out var sample), $"no sample for {type.Name} ({manifest})");
        Assert.Equal(manifest, serializer.Manifest(sample));

        var bytes = serializer.ToBinary(sample);
        var back = serializer.FromBinary(bytes, manifest);

        Assert.IsType(type, back);
        // records holding lists compare them by reference: compare the re-serialized form as well as values
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(serializer.ToBinary(back)));
        if (back is Created created)
        {
            var original = (Created)sample;
            Assert.Equal(original.Spec.DiskSizesBytes, created.Spec.DiskSizesBytes);
            Assert.Equal(original with { Spec = original.Spec with { DiskSizesBytes = [] } }, created with { Spec = created.Spec with { DiskSizesBytes = [] } });
        }
        // lists of names: the JSON above compares them
        else if (sample is PoolEvents.GroupMembersAdded or PoolEvents.GroupMembersRemoved or PoolEntry) { }
        else if (back is Actors.Servers.Load.ServerLoad load)
        {
            var original = (Actors.Servers.Load.ServerLoad)sample;
            Assert.Equal(original.DomainCpuPercent, load.DomainCpuPercent);
            Assert.Equal(original with { DomainCpuPercent = load.DomainCpuPercent }, load);
        }
        else Assert.Equal(sample, back);
    }

    [Theory]
    [MemberData(nameof(DomainManifests))]
    public void Every_domain_manifest_round_trips(string manifest) =>
        AssertRoundTrip(new DomainEventSerializer((ExtendedActorSystem)Sys), DomainEventSerializer.Manifests, manifest);

    [Theory]
    [MemberData(nameof(ServerManifests))]
    public void Every_server_manifest_round_trips(string manifest) =>
        AssertRoundTrip(new ServerEventSerializer((ExtendedActorSystem)Sys), ServerEventSerializer.Manifests, manifest);

    [Fact]
    public void Manifests_are_unique_across_serializers_and_serializer_ids_differ()
    {
        var all = DomainEventSerializer.Manifests.Keys.Concat(ServerEventSerializer.Manifests.Keys).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, m => Assert.Matches(@"^[a-z]+\.[a-z-]+\.v\d+$", m));
        Assert.NotEqual(DomainEventSerializer.SerializerId, ServerEventSerializer.SerializerId);
    }

    [Fact]
    public void The_configured_bindings_pick_the_manifest_serializers()
    {
        foreach (var sample in Samples.Values)
        {
            var serializer = Sys.Serialization.FindSerializerFor(sample);
            var expected = sample is ServerEvents.IServerEvent or ServerView or PoolEvents.IPoolEvent or PoolEntry or Actors.Servers.Load.ServerLoad
                ? ServerEventSerializer.SerializerId
                : DomainEventSerializer.SerializerId;
            Assert.Equal(expected, serializer.Identifier);
            // through Akka's own serialization, by id and manifest (as the journal does)
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, sample);
            var back = Sys.Serialization.Deserialize(serializer.ToBinary(sample), serializer.Identifier, manifest);
            Assert.IsType(sample.GetType(), back);
        }
    }

    private const string CreatedGolden =
        """{"name":"web1","spec":{"name":"web1","vcpus":2,"memoryMiB":512,"diskSizesBytes":[1073741824,10737418240],"restart":"always","kernel":"/boot/vmlinuz","initrd":"/boot/initrd.img","cmdline":"console=ttyS0","ha":false,"pool":"default"},"meta":{"principal":"alice","at":"2024-05-01T12:00:00+00:00","jobId":"j-1","node":"node1"}}""";

    /// <summary>domain.created.v1 as written before the spec had ha and pool.</summary>
    private const string CreatedBeforeHaAndPool =
        """{"name":"web1","spec":{"name":"web1","vcpus":2,"memoryMiB":512,"diskSizesBytes":[1073741824,10737418240],"restart":"always","kernel":"/boot/vmlinuz","initrd":"/boot/initrd.img","cmdline":"console=ttyS0"},"meta":{"principal":"alice","at":"2024-05-01T12:00:00+00:00","jobId":"j-1","node":"node1"}}""";

    private const string CrashedGolden =
        """{"name":"web1","reason":"killed by signal 9","willRestart":true,"meta":{"principal":"system","at":"2024-05-01T12:00:00+00:00","jobId":null,"node":"node1"}}""";

    [Fact]
    public void Golden_json_of_Created_is_stable()
    {
        var serializer = new DomainEventSerializer((ExtendedActorSystem)Sys);
        Assert.Equal(CreatedGolden, Encoding.UTF8.GetString(serializer.ToBinary(Samples[typeof(Created)])));
        Assert.Equal(CrashedGolden, Encoding.UTF8.GetString(serializer.ToBinary(Samples[typeof(Crashed)])));
    }

    [Fact]
    public void Golden_json_as_written_by_an_old_journal_still_reads()
    {
        var serializer = new DomainEventSerializer((ExtendedActorSystem)Sys);
        var created = Assert.IsType<Created>(serializer.FromBinary(Encoding.UTF8.GetBytes(CreatedBeforeHaAndPool), "domain.created.v1"));
        Assert.False(created.Spec.Ha);
        Assert.Equal(DomainSpec.DefaultPool, created.Spec.Pool);
        Assert.Equal("web1", created.Name);
        Assert.Equal(RestartPolicy.Always, created.Spec.Restart);
        Assert.Equal([1L << 30, 10L << 30], created.Spec.DiskSizesBytes);
        Assert.Equal(Meta, created.Meta);

        // the restart policy as written in kebab case
        var onCrash = CreatedGolden.Replace("\"always\"", "\"on-crash\"");
        Assert.Equal(RestartPolicy.OnCrash, ((Created)serializer.FromBinary(Encoding.UTF8.GetBytes(onCrash), "domain.created.v1")).Spec.Restart);
    }

    [Fact]
    public void An_unknown_manifest_throws_and_names_it()
    {
        var serializer = new DomainEventSerializer((ExtendedActorSystem)Sys);
        var ex = Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "domain.frobnicated.v1"));
        Assert.Contains("domain.frobnicated.v1", ex.Message);
        Assert.Throws<SerializationException>(() => new ServerEventSerializer((ExtendedActorSystem)Sys).FromBinary("{}"u8.ToArray(), "domain.created.v1"));
    }

    [Fact]
    public void A_type_without_a_manifest_throws()
    {
        var serializer = new DomainEventSerializer((ExtendedActorSystem)Sys);
        Assert.Throws<ArgumentException>(() => serializer.Manifest(new ServerEvents.Registered("n", "a", "p", new HostFacts(1, 1, "h", null, "d"), Meta)));
        Assert.Throws<ArgumentException>(() => serializer.Manifest("a string"));
    }

    [Fact]
    public void A_null_payload_throws()
    {
        var serializer = new DomainEventSerializer((ExtendedActorSystem)Sys);
        Assert.Throws<SerializationException>(() => serializer.FromBinary("null"u8.ToArray(), "domain.started.v1"));
        Assert.ThrowsAny<JsonException>(() => serializer.FromBinary("{not json"u8.ToArray(), "domain.started.v1"));
    }
}
