using System.Net;
using System.Net.Sockets;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

internal static class FreePort
{
    /// <summary>A loopback port nobody listens on right now (the server binds it a moment later).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
