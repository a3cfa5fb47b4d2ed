namespace Descope.Mcp.AspNetCore;

/// <summary>
/// Decides, from a tool call's arguments and before the tool runs, which scopes the call needs in addition to the tool's
/// <see cref="RequireScopesAttribute"/>. Attach it to a tool, or a prompt, with <see cref="RequireArgumentScopesAttribute"/>;
/// it is resolved from the request's services (registered or not, like ASP.NET Core's <c>TypeFilterAttribute</c>).
/// </summary>
/// <remarks>
/// It runs for every call of the tool, possibly more than once per call (in front of the MCP server and again in its
/// authorization filter), so it should be cheap and give the same answer each time. It sees the arguments the tool
/// receives: calls whose arguments do not conform to the tool's input schema (a number sent as a string, an enum value as
/// a number or in another letter case, a member named in another case, given twice or not declared, a required member
/// missing) are refused with JSON-RPC invalid params (-32602, HTTP 400 in front of the MCP server) before any rule runs,
/// and members the client omitted appear with the schema's <c>default</c>. A value the schema only describes as a string
/// although the tool parses it (a <c>[Flags]</c> enum, a <see cref="Guid"/>, a date) can be spelled several ways: judge
/// it with <see cref="ArgumentScopeContext.GetArgument{T}(string)"/>. A prompt's arguments are held the same way to its
/// argument list: each a string (MCP defines prompt arguments so), named exactly as listed, once, every required one
/// present, and an omitted one as the default of the prompt method's parameter; a number or an enum the prompt parses
/// from that string is judged with <see cref="ArgumentScopeContext.GetArgument{T}(string)"/>. A rule that throws, or
/// that names something that is not an OAuth scope, refuses the call with a plain 403 (no scope is known to help),
/// never a 500.
/// </remarks>
/// <example>
/// <code>
/// public sealed class SharedCalendarRule(ICalendarStore calendars) : IArgumentScopeRule
/// {
///     public async ValueTask&lt;IEnumerable&lt;string&gt;&gt; GetRequiredScopesAsync(ArgumentScopeContext context, CancellationToken cancellationToken) =>
///         context.Arguments.TryGetProperty("calendar_id", out var id) &amp;&amp; id.ValueKind == JsonValueKind.String
///             &amp;&amp; await calendars.IsSharedAsync(id.GetString()!, cancellationToken)
///             ? ["calendar.admin"]
///             : [];
/// }
/// </code>
/// </example>
public interface IArgumentScopeRule
{
    /// <summary>The scopes this call needs for its arguments; empty when it needs none beyond the tool's own.</summary>
    /// <param name="context">The tool, its arguments and the caller.</param>
    /// <param name="cancellationToken">Cancelled when the request is aborted.</param>
    /// <returns>OAuth scopes such as <c>calendar.admin</c>.</returns>
    ValueTask<IEnumerable<string>> GetRequiredScopesAsync(ArgumentScopeContext context, CancellationToken cancellationToken);
}
