namespace Descope.Mcp.AspNetCore;

/// <summary>Why a relation could not be checked. A relation the target lacks is not a failure: its result is not allowed.</summary>
public enum RelationCheckFailure
{
    /// <summary>
    /// Descope could not be reached or kept failing (timeouts, transport errors, 429 or 5xx after retries, an open circuit
    /// breaker, or an answer that could not be read).
    /// </summary>
    Unavailable = 1,

    /// <summary>
    /// Descope refused the request (HTTP 400, 401, 403, 404): for example a management key it does not accept, or a
    /// resource type or relation its FGA schema does not define.
    /// </summary>
    Rejected = 2,

    /// <summary>
    /// The caller is a machine client and <see cref="FgaOptions.ClientTargetType"/> is not set, so it has no target to
    /// check. Descope was not asked.
    /// </summary>
    MachineCaller = 3,

    /// <summary>
    /// The call had a caller whose access token no longer passes validation, for example because it expired while the tool
    /// ran. Descope was not asked.
    /// </summary>
    CallerTokenInvalid = 4,
}
