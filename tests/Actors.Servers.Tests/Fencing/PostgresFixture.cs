using Npgsql;

namespace Actors.Servers.Tests.Fencing;

/// <summary>
/// A private PostgreSQL 15 on 127.0.0.1 in a temp dir (through ops/pg.sh), shared by the tests of one collection;
/// each test gets a database of its own. Stopped and removed at the end.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private string _dir = "";
    private int _port;
    private int _databases;

    public string AdminConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=false";

    public Task InitializeAsync()
    {
        _dir = FencingTestSupport.NewTempDir("fencing-pg");
        _port = FencingTestSupport.FreeTcpPort();
        var (code, stdout, stderr) = FencingTestSupport.Run(Path.Combine(FencingTestSupport.RepoRoot, "ops", "pg.sh"),
            "start", _dir, _port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (code != 0)
            throw new InvalidOperationException($"ops/pg.sh start failed ({code}): {stdout}\n{stderr}");
        return Task.CompletedTask;
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var name = $"leases_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={_port};Username=postgres;Database={name};Maximum Pool Size=50";
    }

    public Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            FencingTestSupport.Run(Path.Combine(FencingTestSupport.RepoRoot, "ops", "pg.sh"), "stop", _dir);
        }
        finally
        {
            FencingTestSupport.TryDeleteDir(_dir);
        }
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "fencing-postgres";
}
