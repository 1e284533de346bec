namespace Cluster.Host;

/// <summary>The node's options: flags, each with an environment equivalent (flags win).</summary>
public sealed record NodeOptions(
    string Name,
    string DataDir,
    string Hostname,
    int Port,
    string ApiHost,
    int ApiPort,
    IReadOnlyList<string> Seeds,
    string? Db,
    string Pool,
    string? Vmm,
    string? ConfigFile,
    string? ClusterCert = null,
    Secret? ClusterCertPassword = null,

    Actors.Servers.Load.LoadSource LoadSource = Actors.Servers.Load.LoadSource.Host)
{
    public const string SystemName = "vmc";

    /// <summary>Akka's scheme for the cluster port: TLS remoting is akka.ssl.tcp, and every member must use the same.</summary>
    public string Scheme => SchemeFor(ClusterCert is not null);

    public string SelfAddress => $"{Scheme}://{SystemName}@{Hostname}:{Port}";

    public static string SchemeFor(bool tls) => tls ? "akka.ssl.tcp" : "akka.tcp";

    public static string Usage => """
        usage: Cluster.Host [options]
          --name NAME        server name (VMC_NAME; default: the host name)
          --data-dir DIR     data directory (VMC_DATA_DIR; default ./data)
          --host ADDR        cluster hostname to bind and advertise (VMC_HOST; default 127.0.0.1)
          --port PORT        cluster port (VMC_PORT; default 4053)
          --api HOST:PORT    HTTP API address (VMC_API; default 127.0.0.1:9110)
          --seed ADDR        seed node, host:port or akka[.ssl].tcp://vmc@host:port; repeatable (VMC_SEEDS, comma-separated)
          --db CONN          database connection string (VMC_DB; default: SQLite file DATA_DIR/vmc.db)
          --pool NAME        server pool (VMC_POOL; default "default")
          --vmm qemu|simulated  VMM driver (VMC_VMM; default qemu when installed)
          --config FILE      extra HOCON applied over akka.hocon (VMC_CONFIG)
          --cluster-cert FILE  the cluster certificate (PKCS#12): TLS between nodes, and only nodes holding it may
                             join (VMC_CLUSTER_CERT; default: none, plain TCP)
          --cluster-cert-password-file FILE  its password (VMC_CLUSTER_CERT_PASSWORD_FILE, or the password itself
                             in VMC_CLUSTER_CERT_PASSWORD)
          --load-source host|vmms  what the server's load is measured on (VMC_LOAD_SOURCE; default host;
                             vmms: only this node's VMMs, for several nodes on one host)
        """;

    /// <summary>Parses flags and environment; the error names the option that was wrong.</summary>
    public static (NodeOptions? Options, string? Error) Parse(string[] args, Func<string, string?> env)
    {
        var values = new Dictionary<string, string>();
        var seeds = new List<string>();
        string[] known = ["--name", "--data-dir", "--host", "--port", "--api", "--seed", "--db", "--pool", "--vmm", "--config",
            "--cluster-cert", "--cluster-cert-password-file", "--load-source"];
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is var eq and > 0)
                (arg, inline) = (arg[..eq], arg[(eq + 1)..]);
            if (!known.Contains(arg))
                return (null, $"unknown option '{arg}'");
            var value = inline ?? (i + 1 < args.Length ? args[++i] : null);
            if (string.IsNullOrWhiteSpace(value)) return (null, $"option {arg} needs a value");
            if (arg == "--seed") seeds.Add(value); else values[arg] = value;
        }
        string? Get(string flag, string variable) => values.GetValueOrDefault(flag) ?? NullIfEmpty(env(variable));

        if (seeds.Count == 0 && Get("--seed", "VMC_SEEDS") is { } seedList)
            seeds.AddRange(seedList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var name = Get("--name", "VMC_NAME") ?? Environment.MachineName;
        if (Actors.Domains.DomainSpecValidation.CheckName(name) is not null)
            return (null, $"--name '{name}' is not a valid server name (ASCII letters, digits, '.', '_', '-'; at most 63)");

        var portText = Get("--port", "VMC_PORT") ?? "4053";
        if (!int.TryParse(portText, out var port) || port is < 0 or > 65535)
            return (null, $"--port '{portText}' is not a port number");

        var api = Get("--api", "VMC_API") ?? "127.0.0.1:9110";
        if (!TrySplitHostPort(api, out var apiHost, out var apiPort))
            return (null, $"--api '{api}' is not HOST:PORT");

        var clusterCert = Get("--cluster-cert", "VMC_CLUSTER_CERT");
        if (clusterCert is not null && !File.Exists(clusterCert))
            return (null, $"--cluster-cert file {clusterCert} does not exist");
        var passwordFile = Get("--cluster-cert-password-file", "VMC_CLUSTER_CERT_PASSWORD_FILE");
        if (passwordFile is not null && clusterCert is null)
            return (null, "--cluster-cert-password-file needs --cluster-cert");
        string? password = null;
        if (passwordFile is not null)
        {
            try { password = File.ReadAllText(passwordFile).TrimEnd('\r', '\n'); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return (null, $"--cluster-cert-password-file {passwordFile} cannot be read: {ex.Message}");
            }
        }
        else if (clusterCert is not null)
        {
            password = env("VMC_CLUSTER_CERT_PASSWORD");
        }

        // Seeds given as HOST:PORT take this node's scheme; a full address must have it (a plain node cannot reach a TLS one).
        var scheme = SchemeFor(clusterCert is not null);
        var parsedSeeds = new List<string>();
        foreach (var seed in seeds)
        {
            if (seed.StartsWith(scheme + "://", StringComparison.Ordinal)) parsedSeeds.Add(seed);
            else if (seed.Contains("://", StringComparison.Ordinal))
                return (null, $"--seed '{seed}' is not an {scheme}:// address ({(clusterCert is null ? "no --cluster-cert: plain TCP" : "--cluster-cert: TLS")})");
            else if (TrySplitHostPort(seed, out var h, out var p)) parsedSeeds.Add($"{scheme}://{SystemName}@{h}:{p}");
            else return (null, $"--seed '{seed}' is neither HOST:PORT nor an {scheme}:// address");
        }

        var vmm = Get("--vmm", "VMC_VMM");
        if (vmm is not (null or "qemu" or "simulated"))
            return (null, $"--vmm '{vmm}' is not one of qemu, simulated");

        var config = Get("--config", "VMC_CONFIG");
        if (config is not null && !File.Exists(config))
            return (null, $"--config file {config} does not exist");

        var loadSource = Get("--load-source", "VMC_LOAD_SOURCE") ?? "host";
        if (loadSource is not ("host" or "vmms"))
            return (null, $"--load-source '{loadSource}' is not one of host, vmms");

        return (new NodeOptions(
            name,
            Path.GetFullPath(Get("--data-dir", "VMC_DATA_DIR") ?? "data"),
            Get("--host", "VMC_HOST") ?? "127.0.0.1",
            port, apiHost, apiPort, parsedSeeds,
            Get("--db", "VMC_DB"),
            Get("--pool", "VMC_POOL") ?? "default",
            vmm, config, clusterCert is null ? null : Path.GetFullPath(clusterCert), password is null ? null : new Secret(password),
            loadSource == "vmms" ? Actors.Servers.Load.LoadSource.Vmms : Actors.Servers.Load.LoadSource.Host), null);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static bool TrySplitHostPort(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0) return false;
        host = text[..colon];
        return int.TryParse(text[(colon + 1)..], out port) && port is > 0 and <= 65535;
    }
}

/// <summary>A password among the options: printed as *** (the options' ToString may reach a log).</summary>
public sealed record Secret(string Value)
{
    public override string ToString() => "***";
}
