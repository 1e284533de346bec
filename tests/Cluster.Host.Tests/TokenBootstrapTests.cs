using Cluster.Host.Audit;
using Cluster.Host.Auth;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>Nodes that start together on one database make one admin token between them, not one each.</summary>
public sealed class TokenBootstrapTests
{
    private const int Nodes = 6;

    [Fact]
    public async Task Concurrent_first_starts_on_one_sqlite_file_create_one_admin_token()
    {
        var dir = TestPaths.NewTempDir();
        try
        {
            var db = new AuditDatabase($"Data Source={Path.Combine(dir, "vmc.db")};Pooling=False;Default Timeout=30", postgres: false);
            await AssertOneWinnerAsync(db);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Concurrent_first_starts_on_one_postgres_create_one_admin_token()
    {
        await using var pg = await PostgresServer.StartAsync();
        await AssertOneWinnerAsync(new AuditDatabase(pg.ConnectionString, postgres: true));
    }

    private static async Task AssertOneWinnerAsync(AuditDatabase db)
    {
        var tokens = await Task.WhenAll(Enumerable.Range(0, Nodes).Select(_ => Task.Run(() => new TokenStore(db).InitializeAsync())));

        var winner = Assert.Single(tokens, t => t is not null);
        var store = new TokenStore(db);
        Assert.Equal(new Caller(TokenStore.BootstrapName, Role.Admin), await store.FindAsync(winner!));
        Assert.Single(await store.ListAsync());
        Assert.Null(await store.InitializeAsync()); // a later start makes none either
    }
}
