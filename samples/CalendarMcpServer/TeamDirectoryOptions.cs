namespace CalendarMcpServer;

/// <summary>Where the team directory API is, bound from the <c>TeamDirectory</c> section.</summary>
public sealed class TeamDirectoryOptions
{
    /// <summary>The API's base URL, ending in <c>/</c>; also the audience of the tokens exchanged for it.</summary>
    public Uri? ApiUrl { get; set; }
}
