namespace Cluster.Host.Tests.MultiNode;

/// <summary>
/// One three-node QEMU cluster shared by the tests of a class that leave it as they found it (each kills and
/// deletes its own domains). Tests that kill or freeze a node start a cluster of their own.
/// </summary>
public sealed class QemuClusterFixture : IAsyncLifetime
{
    public ThreeNodeCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await ThreeNodeCluster.StartAsync("qemu");

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}
