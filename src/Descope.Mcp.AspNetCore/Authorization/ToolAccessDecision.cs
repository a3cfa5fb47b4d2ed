namespace Descope.Mcp.AspNetCore.Authorization;

/// <summary>The gate's verdict on one tool call.</summary>
internal enum ToolAccessDecision
{
    Allowed,

    /// <summary>Scopes are missing: a step-up can fix it.</summary>
    MissingScopes,

    /// <summary>A role or permission is missing: no scope would help.</summary>
    Forbidden,
}
