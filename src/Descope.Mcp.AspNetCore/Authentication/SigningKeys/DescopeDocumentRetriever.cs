using Descope.Mcp.AspNetCore.Configuration;
using Microsoft.IdentityModel.Protocols;

namespace Descope.Mcp.AspNetCore.Authentication.SigningKeys;

/// <summary>
/// Fetches the discovery document and key set through the named backchannel client, so the handler pipeline, timeout
/// and (in tests) the transport come from <see cref="IHttpClientFactory"/>.
/// </summary>
internal sealed class DescopeDocumentRetriever(IHttpClientFactory httpClientFactory, TimeSpan timeout) : IDocumentRetriever
{
    private const int MaxDocumentBytes = 1024 * 1024;

    public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var url) || !DescopeUrls.IsSecureOrLoopback(url))
        {
            throw new InvalidOperationException("Descope metadata addresses must use https (http only for loopback hosts).");
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeoutSource.CancelAfter(timeout);
        var client = httpClientFactory.CreateClient(DescopeMcpDefaults.BackchannelHttpClientName);
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new IOException($"GET {url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}.");
        }

        // Bounded whether or not the response declares its length.
        await using var body = await response.Content.ReadAsStreamAsync(timeoutSource.Token);
        using var document = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, timeoutSource.Token)) > 0)
        {
            if (document.Length + read > MaxDocumentBytes)
            {
                throw new IOException($"GET {url.GetLeftPart(UriPartial.Path)} returned a document larger than {MaxDocumentBytes} bytes.");
            }

            document.Write(chunk, 0, read);
        }

        return System.Text.Encoding.UTF8.GetString(document.GetBuffer(), 0, (int)document.Length);
    }
}
