using System.Diagnostics;
using System.Text.Json;

namespace Cluster.Host.Tests.Support;

/// <summary>Runs the real vmc binary, as an operator would: with the admin token of the node it talks to in VMC_TOKEN.</summary>
public static class Vmc
{
    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public JsonElement Json => JsonDocument.Parse(Out).RootElement;
        public override string ToString() => $"exit {ExitCode}\nstdout: {Out}\nstderr: {Err}";
    }

    public static Task<Result> RunAsync(string address, params string[] args) =>
        RunWithTokenAsync(NodeProcess.AdminTokenFor(address), address, args);

    /// <summary>Runs vmc with <paramref name="token"/> in VMC_TOKEN (none when null).</summary>
    public static async Task<Result> RunWithTokenAsync(string? token, string address, params string[] args)
    {
        using var process = Process.Start(StartInfo(token, address, args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"vmc {string.Join(' ', args)} did not end within 180 s");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts an open-ended vmc command (a tail) with the node's admin token; see <see cref="VmcTail"/>.</summary>
    public static VmcTail Start(string address, params string[] args) =>
        new(Process.Start(StartInfo(NodeProcess.AdminTokenFor(address), address, args))!);

    private static ProcessStartInfo StartInfo(string? token, string address, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.Environment.Remove("VMC_TOKEN");
        if (token is not null) psi.Environment["VMC_TOKEN"] = token;
        psi.ArgumentList.Add(TestPaths.VmcDll);
        psi.ArgumentList.Add(address);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>`vmc domain show NAME --json`, parsed; null when vmc failed (e.g. the cluster did not answer in time during a hand-off).</summary>
    public static async Task<JsonElement?> TryDomainAsync(string address, string name)
    {
        var r = await RunAsync(address, "domain", "show", name, "--json");
        return r.ExitCode == 0 ? r.Json : null;
    }

    /// <summary>`vmc domain show NAME --json`, parsed.</summary>
    public static async Task<JsonElement> DomainAsync(string address, string name)
    {
        var r = await RunAsync(address, "domain", "show", name, "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Json;
    }
}
