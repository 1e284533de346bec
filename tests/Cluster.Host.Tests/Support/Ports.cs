using System.Net;
using System.Net.Sockets;

namespace Cluster.Host.Tests.Support;

/// <summary>
/// Free loopback ports for servers the tests start, taken below Linux's ephemeral range (32768–60999): a port
/// the kernel hands out to outgoing connections can be taken between picking it and the server binding it.
/// </summary>
public static class Ports
{
    private static int _next = 20000 + Random.Shared.Next(0, 10000);

    public static int Free()
    {
        for (var attempt = 0; attempt < 2000; attempt++)
        {
            var port = 20000 + (Interlocked.Increment(ref _next) - 20000) % 12000;
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException) { }
        }
        throw new InvalidOperationException("no free loopback port between 20000 and 32000");
    }
}
