using Actors.Servers.Fencing;
using static Actors.Servers.Tests.Fencing.FencingTestSupport;

namespace Actors.Servers.Tests.Fencing;

/// <summary>The same behaviour, proven on each database the cluster can use.</summary>
public abstract class DomainLeaseStoreContract : IAsyncLifetime
{
    private readonly List<DomainLeaseStore> _stores = [];

    /// <summary>A new store on a database of its own (empty, no table yet).</summary>
    protected abstract Task<(string ConnectionString, string Provider)> NewDatabaseAsync();

    private (string ConnectionString, string Provider) _db;
    private DomainLeaseStore Store => _stores[0];

    private DomainLeaseStore OpenStore()
    {
        var store = new DomainLeaseStore(_db.ConnectionString, _db.Provider);
        _stores.Add(store);
        return store;
    }

    public async Task InitializeAsync()
    {
        _db = await NewDatabaseAsync();
        OpenStore();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
    }

    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_free_domain_is_granted_and_another_owner_is_refused_with_holder_and_expiry()
    {
        var before = DateTimeOffset.UtcNow;
        var a = await Store.TryAcquireAsync("d1", "server-a", Long);
        Assert.True(a.Granted);
        Assert.Equal("server-a", a.HeldBy);
        Assert.NotNull(a.Until);
        Assert.InRange(a.Until!.Value, before.AddSeconds(25), before.AddSeconds(40));

        var b = await Store.TryAcquireAsync("d1", "server-b", Long);
        Assert.False(b.Granted);
        Assert.Equal("server-a", b.HeldBy);
        Assert.Equal(a.Until, b.Until);

        var row = await Store.GetAsync("d1");
        Assert.NotNull(row);
        Assert.Equal("server-a", row!.Owner);
        Assert.False(row.Expired);
        Assert.Equal(a.Until, row.ExpiresAt);
        Assert.Null(await Store.GetAsync("nobody"));
    }

    [Fact]
    public async Task The_holder_extends_its_lease_and_never_shortens_it()
    {
        var first = await Store.TryAcquireAsync("d1", "server-a", TimeSpan.FromSeconds(5));
        var longer = await Store.TryAcquireAsync("d1", "server-a", Long);
        Assert.True(longer.Granted);
        Assert.True(longer.Until > first.Until);
        var shorter = await Store.TryAcquireAsync("d1", "server-a", TimeSpan.FromSeconds(1));
        Assert.True(shorter.Granted);
        Assert.Equal(longer.Until, shorter.Until);
        var row = await Store.GetAsync("d1");
        Assert.Equal(first.Until!.Value.AddSeconds(-5).ToUnixTimeMilliseconds(), row!.AcquiredAt.ToUnixTimeMilliseconds(), 1000.0);
    }

    [Fact]
    public async Task An_expired_lease_can_be_acquired_by_another_owner()
    {
        Assert.True((await Store.TryAcquireAsync("d1", "server-a", TimeSpan.FromMilliseconds(400))).Granted);
        Assert.False((await Store.TryAcquireAsync("d1", "server-b", Long)).Granted);
        LeaseResult? taken = null;
        await Eventually(async () => (taken = await Store.TryAcquireAsync("d1", "server-b", Long)).Granted,
            TimeSpan.FromSeconds(5), "server-b acquires d1 after server-a's lease expired");
        Assert.Equal("server-b", taken!.HeldBy);
        var refused = await Store.TryAcquireAsync("d1", "server-a", Long);
        Assert.False(refused.Granted);
        Assert.Equal("server-b", refused.HeldBy);
    }

    [Fact]
    public async Task Renewal_extends_only_the_owners_unexpired_leases_and_never_revives_an_expired_one()
    {
        await Store.TryAcquireAsync("a1", "server-a", TimeSpan.FromSeconds(10));
        await Store.TryAcquireAsync("a2", "server-a", TimeSpan.FromSeconds(10));
        var other = await Store.TryAcquireAsync("b1", "server-b", TimeSpan.FromSeconds(10));
        Assert.True((await Store.TryAcquireAsync("a-expired", "server-a", TimeSpan.FromMilliseconds(300))).Granted);
        await Eventually(async () => (await Store.GetAsync("a-expired"))!.Expired, TimeSpan.FromSeconds(5), "a-expired expires");
        var a1Before = (await Store.GetAsync("a1"))!.ExpiresAt;

        Assert.Equal(2, Store.RenewAll("server-a", Long, TimeSpan.FromSeconds(5)));

        Assert.True((await Store.GetAsync("a1"))!.ExpiresAt > a1Before.AddSeconds(15));
        Assert.True((await Store.GetAsync("a2"))!.ExpiresAt > a1Before.AddSeconds(15));
        Assert.Equal(other.Until, (await Store.GetAsync("b1"))!.ExpiresAt);
        var expired = await Store.GetAsync("a-expired");
        Assert.True(expired!.Expired);
        Assert.True((await Store.TryAcquireAsync("a-expired", "server-b", Long)).Granted);
        Assert.Equal(0, Store.RenewAll("server-c", Long, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Release_frees_only_the_owners_leases()
    {
        await Store.TryAcquireAsync("a1", "server-a", Long);
        await Store.TryAcquireAsync("a2", "server-a", Long);
        await Store.TryAcquireAsync("a3", "server-a", Long);
        await Store.TryAcquireAsync("b1", "server-b", Long);

        Assert.False(await Store.ReleaseAsync("a1", "server-b"));
        Assert.True(await Store.ReleaseAsync("a1", "server-a"));
        Assert.False(await Store.ReleaseAsync("a1", "server-a"));
        Assert.Null(await Store.GetAsync("a1"));
        Assert.True((await Store.TryAcquireAsync("a1", "server-b", Long)).Granted);

        Assert.Equal(2, await Store.ReleaseAllAsync("server-a"));
        Assert.Null(await Store.GetAsync("a2"));
        Assert.Null(await Store.GetAsync("a3"));
        Assert.Equal("server-b", (await Store.GetAsync("b1"))!.Owner);
        Assert.Equal("server-b", (await Store.GetAsync("a1"))!.Owner);
    }

    [Fact]
    public async Task Release_of_all_but_some_keeps_those_and_other_owners_leases()
    {
        // A server restarted within the TTL keeps the leases of the domains whose VMM still runs there, only.
        foreach (var d in new[] { "a1", "a2", "a3" }) await Store.TryAcquireAsync(d, "server-a", Long);
        await Store.TryAcquireAsync("b1", "server-b", Long);

        Assert.Equal(2, await Store.ReleaseAllAsync("server-a", ["a2", "b1", "nowhere"]));
        Assert.Null(await Store.GetAsync("a1"));
        Assert.Equal("server-a", (await Store.GetAsync("a2"))!.Owner);
        Assert.Null(await Store.GetAsync("a3"));
        Assert.Equal("server-b", (await Store.GetAsync("b1"))!.Owner);
        Assert.Equal(1, await Store.ReleaseAllAsync("server-a", []));
    }

    [Fact]
    public async Task Twenty_concurrent_acquisitions_by_different_owners_grant_exactly_one()
    {
        // Three nodes' stores start at once on an empty database: the table is created once, without errors.
        var stores = new[] { Store, OpenStore(), OpenStore() };
        await Task.WhenAll(stores.Select(s => Task.Run(() => s.EnsureSchemaAsync())));

        foreach (var domain in new[] { "fresh-1", "fresh-2", "fresh-3" })
            await AssertExactlyOneWinner(stores, domain, Long);

        // Also when the contended lease exists but has expired.
        Assert.True((await Store.TryAcquireAsync("expiring", "server-old", TimeSpan.FromMilliseconds(300))).Granted);
        await Eventually(async () => (await Store.GetAsync("expiring"))!.Expired, TimeSpan.FromSeconds(5), "the lease expires");
        await AssertExactlyOneWinner(stores, "expiring", Long);
    }

    private static async Task AssertExactlyOneWinner(DomainLeaseStore[] stores, string domain, TimeSpan ttl)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            await go.Task;
            return (Owner: $"server-{i}", Result: await stores[i % stores.Length].TryAcquireAsync(domain, $"server-{i}", ttl));
        })).ToArray();
        go.SetResult();
        var results = await Task.WhenAll(attempts);
        var winners = results.Where(r => r.Result.Granted).ToList();
        Assert.Single(winners);
        var winner = winners[0].Owner;
        Assert.All(results, r => Assert.Equal(winner, r.Result.HeldBy));
        Assert.Equal(winner, (await stores[0].GetAsync(domain))!.Owner);
    }
}

public sealed class SqliteDomainLeaseStoreTests : DomainLeaseStoreContract
{
    private readonly string _dir = NewTempDir("fencing-sqlite");

    protected override Task<(string ConnectionString, string Provider)> NewDatabaseAsync() =>
        Task.FromResult(($"Data Source={Path.Combine(_dir, "vmc.db")};Pooling=True", DomainLeaseStore.SqliteProvider));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TryDeleteDir(_dir);
    }

    [Fact]
    public void An_unknown_provider_is_refused_with_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new DomainLeaseStore("Data Source=x", "SqlServer"));
        Assert.Contains("SqlServer", error.Message);
        Assert.Contains(DomainLeaseStore.PostgresProvider, error.Message);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDomainLeaseStoreTests(PostgresFixture postgres) : DomainLeaseStoreContract
{
    protected override async Task<(string ConnectionString, string Provider)> NewDatabaseAsync() =>
        (await postgres.NewDatabaseAsync(), DomainLeaseStore.PostgresProvider);
}
