using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Cluster.Host.Tests.Support;

/// <summary>
/// A private PostgreSQL 15 on a free loopback port in a temp dir of its own, started with <c>ops/pg.sh</c> (the
/// same script the cluster uses). Disposing stops it and removes the dir, even when the test failed.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private PostgresServer(string root)
    {
        Root = root;
    }

    /// <summary>The temp dir: <c>pg/</c> holds the data dir, the socket and postgres.log.</summary>
    public string Root { get; }
    public string Dir => Path.Combine(Root, "pg");
    public int Port { get; private set; }
    /// <summary>As the nodes take it: <c>Host=127.0.0.1;Port=...;Username=vmc;Password=vmc;Database=vmc</c>.</summary>
    public string ConnectionString { get; private set; } = "";

    public static async Task<PostgresServer> StartAsync()
    {
        var server = new PostgresServer(TestPaths.NewTempDir());
        try
        {
            // A free port can be taken by someone else before the server binds it: try a few.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort();
                var (exit, stdout, stderr) = await RunScriptAsync("start", server.Dir, port.ToString());
                if (exit == 0)
                {
                    server.Port = port;
                    server.ConnectionString = stdout.Trim().Split('\n')[^1];
                    return server;
                }
                if (attempt == 3 || !stderr.Contains("in use", StringComparison.Ordinal))
                    throw new InvalidOperationException($"ops/pg.sh start failed (exit {exit}):\n{stderr}");
                await RunScriptAsync("stop", server.Dir);
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs one query and returns its single value.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunScriptAsync("stop", Dir);
        }
        finally
        {
            KillPostmasterIfAlive();
            try { Directory.Delete(Root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The last resort when pg.sh could not stop it: the postmaster's pid is the first line of postmaster.pid.</summary>
    private void KillPostmasterIfAlive()
    {
        var pidFile = Path.Combine(Dir, "data", "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid)) return;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.ProcessName.StartsWith("postgres", StringComparison.Ordinal))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (ArgumentException) { } // not running
        catch (InvalidOperationException) { }
    }

    private static async Task<(int Exit, string Out, string Err)> RunScriptAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.ArgumentList.Add(Path.Combine(TestPaths.RepoRoot, "ops", "pg.sh"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ops/pg.sh {string.Join(' ', args)} did not end within 120 s: {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static int FreePort() => Ports.Free();
}
