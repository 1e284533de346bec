using System.Diagnostics;

namespace Cluster.Host.Tests.Support;

/// <summary>A cluster certificate made by ops/cluster-cert.sh, as an operator makes one: the PKCS#12 file and its password file.</summary>
public sealed record ClusterCertFiles(string Pfx, string PasswordFile)
{
    /// <summary>Runs ops/cluster-cert.sh into <paramref name="dir"/> (a new dir; the caller removes it).</summary>
    public static async Task<ClusterCertFiles> CreateAsync(string dir, string name)
    {
        using var script = Process.Start(new ProcessStartInfo("bash", [Path.Combine(TestPaths.RepoRoot, "ops", "cluster-cert.sh"), dir, name])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = script.StandardError.ReadToEndAsync();
        var stdout = await script.StandardOutput.ReadToEndAsync();
        await script.WaitForExitAsync();
        if (script.ExitCode != 0) throw new InvalidOperationException($"ops/cluster-cert.sh failed (exit {script.ExitCode}): {await stderr}");
        var files = new ClusterCertFiles(Path.Combine(dir, "cluster.pfx"), Path.Combine(dir, "cluster.password"));
        if (stdout.Trim() != $"--cluster-cert {files.Pfx} --cluster-cert-password-file {files.PasswordFile}")
            throw new InvalidOperationException($"ops/cluster-cert.sh printed an unexpected line: {stdout}");
        return files;
    }

    public IEnumerable<string> Args => ["--cluster-cert", Pfx, "--cluster-cert-password-file", PasswordFile];
}
