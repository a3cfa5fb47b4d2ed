using Microsoft.AspNetCore.Http;

namespace Descope.Mcp.AspNetCore.Testing.Pages;

/// <summary>A decision posted from a page, checked by <see cref="PageForm.ReadAsync"/>; the request is still pending.</summary>
internal sealed record PostedForm<T>(IFormCollection Form, string PendingId, T Request, bool Approved)
    where T : class;
