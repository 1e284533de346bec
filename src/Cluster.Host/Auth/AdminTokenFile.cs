namespace Cluster.Host.Auth;

/// <summary>DATA_DIR/admin.token: where the first start of a cluster leaves its admin token, readable by the owner only.</summary>
public static class AdminTokenFile
{
    public const string FileName = "admin.token";

    public static string PathIn(string dataDir) => Path.Combine(dataDir, FileName);

    /// <summary>Creates the file with mode 0600 from the start, so the secret is never readable by others.</summary>
    public static void Write(string dataDir, string token)
    {
        var path = PathIn(dataDir);
        File.Delete(path);
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // the analyzer wants the guard; nodes run on Linux
        using var stream = new FileStream(path, create);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(token);
    }
}
