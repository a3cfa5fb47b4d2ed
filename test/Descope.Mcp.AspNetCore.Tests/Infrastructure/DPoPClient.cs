using System.Net;
using System.Net.Http.Headers;
using Descope.Mcp.AspNetCore.Testing;
using ModelContextProtocol.Client;

namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>
/// What a DPoP client does on the wire (RFC 9449): <c>Authorization: DPoP</c> and a fresh proof for every request, and
/// one retry with the server's nonce after <c>use_dpop_nonce</c>.
/// </summary>
internal sealed class DPoPHandler(string token, TestDPoPKey key) : DelegatingHandler(new HttpClientHandler())
{
    private string? _nonce;

    /// <summary>Every proof sent, in order.</summary>
    public List<string> Proofs { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Sign(request);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized
            && response.Headers.TryGetValues("DPoP-Nonce", out var nonces)
            && request.Content is null or { Headers.ContentLength: not null })
        {
            _nonce = nonces.First();
            response.Dispose();
            var retry = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content, Version = request.Version };
            foreach (var header in request.Headers)
            {
                retry.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            Sign(retry);
            return await base.SendAsync(retry, cancellationToken);
        }

        return response;
    }

    private void Sign(HttpRequestMessage request)
    {
        var url = request.RequestUri!.GetLeftPart(UriPartial.Path);
        var proof = key.CreateProof(request.Method.Method, url, token, _nonce);
        lock (Proofs)
        {
            Proofs.Add(proof);
        }

        request.Headers.Remove("DPoP");
        request.Headers.Authorization = new AuthenticationHeaderValue("DPoP", token);
        request.Headers.TryAddWithoutValidation("DPoP", proof);
    }
}

/// <summary>Requests and MCP clients that present a DPoP-bound token.</summary>
internal static class DPoPClient
{
    /// <summary>A raw MCP POST with <c>Authorization: DPoP</c> and, when given, one <c>DPoP</c> header.</summary>
    public static HttpRequestMessage McpRequest(ProtectedMcpServer server, string token, string? proof, string? body = null)
    {
        var request = server.McpRequest(token: null, body: body);
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP " + token);
        if (proof is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        return request;
    }

    /// <summary>The MCP SDK's client, over an HTTP client that presents <paramref name="token"/> with proofs of <paramref name="key"/>.</summary>
    public static async Task<McpClient> ConnectAsync(ProtectedMcpServer server, string token, TestDPoPKey key, DPoPHandler? handler = null)
    {
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(server.McpUrl), TransportMode = HttpTransportMode.StreamableHttp },
            new HttpClient(handler ?? new DPoPHandler(token, key)),
            ownsHttpClient: true);
        return await McpClient.CreateAsync(transport);
    }
}
