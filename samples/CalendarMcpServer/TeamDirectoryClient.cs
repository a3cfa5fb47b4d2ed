using Descope.Mcp.AspNetCore;
using Microsoft.Extensions.Options;

namespace CalendarMcpServer;

/// <summary>Reads the company's team directory API with a token Descope issued for it.</summary>
public sealed class TeamDirectoryClient(HttpClient http, IOptions<TeamDirectoryOptions> options)
{
    /// <summary>The API's base URL, which is also the audience of its tokens.</summary>
    public Uri ApiUrl { get; } = options.Value.ApiUrl ?? throw new InvalidOperationException("Set TeamDirectory:ApiUrl to the directory API's URL.");

    /// <summary>The caller's teammates.</summary>
    /// <param name="token">A token issued for <see cref="ApiUrl"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Their names.</returns>
    public async Task<IReadOnlyList<string>> GetTeamAsync(ExchangedToken token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ApiUrl, "team"));
        request.Headers.Authorization = new(token.TokenType, token.AccessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new ModelContextProtocol.McpException($"The team directory answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }

        return await response.Content.ReadFromJsonAsync<string[]>(cancellationToken) ?? [];
    }
}
