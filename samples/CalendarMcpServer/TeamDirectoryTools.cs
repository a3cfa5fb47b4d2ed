using System.ComponentModel;
using Descope.Mcp.AspNetCore;
using ModelContextProtocol.Server;

namespace CalendarMcpServer;

/// <summary>A tool that calls the company's own team directory API with a token exchanged at Descope.</summary>
[McpServerToolType]
public sealed class TeamDirectoryTools(IDescopeTokenExchange exchange, TeamDirectoryClient directory)
{
    /// <summary>The directory scope the call needs.</summary>
    public const string DirectoryReadScope = "directory.read";

    /// <summary>Lists the caller's teammates, asking the directory API with a token issued for it.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One line per teammate.</returns>
    [McpServerTool(Name = "get_my_team"), Description("Lists the signed-in user's teammates from the company directory.")]
    public async Task<string> GetMyTeam(CancellationToken cancellationToken = default)
    {
        // The audience is the API's URL, so Descope issues a token that only this API accepts.
        var token = await exchange.ExchangeAsync(directory.ApiUrl.AbsoluteUri, [DirectoryReadScope], cancellationToken);
        return string.Join('\n', await directory.GetTeamAsync(token, cancellationToken));
    }
}
