using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Cluster.Host.Auth;

/// <summary>A bearer token's secret: made here, shown once, kept only as its SHA-256.</summary>
public static class ApiToken
{
    private const string Prefix = "vmc_";

    /// <summary>256 random bits; the prefix makes a leaked token easy to recognise (secret scanners, logs).</summary>
    public static string New() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
