using Descope.Mcp.AspNetCore;
using ModelContextProtocol.Server;

namespace ConsumerServer;

/// <summary>A tool that needs a scope and reads who calls.</summary>
[McpServerToolType]
public sealed class NotesTools(IHttpContextAccessor http)
{
    /// <summary>Lists the caller's notes; needs <c>notes.read</c>.</summary>
    [McpServerTool(Name = "list_notes"), RequireScopes("notes.read")]
    public string ListNotes() => $"No notes yet for {http.HttpContext?.User.FindFirst("sub")?.Value}.";
}
