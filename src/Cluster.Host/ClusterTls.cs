using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Remote.Transport.DotNetty;

namespace Cluster.Host;

/// <summary>
/// TLS between the nodes with one cluster certificate that every node holds. Akka.Remote 1.5.73 requires a client
/// certificate on every inbound connection (mutual TLS); the validator accepts, in both directions, only a peer
/// that presents this very certificate (pinned by thumbprint, so a self-signed stranger or one that suppresses
/// validation on its side is refused at the handshake, before any cluster message).
/// </summary>
public static class ClusterTls
{
    /// <summary>HOCON that turns TLS on; the certificate and validator come from <see cref="Setup"/>.</summary>
    public const string Hocon = "akka.remote.dot-netty.tcp.enable-ssl = on";

    /// <summary>Loads the PKCS#12 file; the error names the file and what is wrong with it.</summary>
    public static (X509Certificate2? Certificate, string? Error) Load(string path, string? password)
    {
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                return (null, $"--cluster-cert {path} has no private key (make it with ops/cluster-cert.sh)");
            }
            return (certificate, null);
        }
        catch (CryptographicException ex)
        {
            return (null, $"--cluster-cert {path} cannot be read as PKCS#12 with the given password ({ex.Message.Trim()})");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, $"--cluster-cert {path} cannot be read: {ex.Message}");
        }
    }

    public static DotNettySslSetup Setup(X509Certificate2 certificate) =>
        new(certificate, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false,
            customValidator: CertificateValidation.PinnedCertificate(certificate.Thumbprint));
}
