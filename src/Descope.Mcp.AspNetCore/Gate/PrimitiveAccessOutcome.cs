namespace Descope.Mcp.AspNetCore.Gate;

/// <summary>The gate's verdict on one use of a tool, prompt or resource.</summary>
internal enum PrimitiveAccessOutcome
{
    Allowed,

    /// <summary>Scopes are missing: a step-up can fix it.</summary>
    MissingScopes,

    /// <summary>A role or permission is missing, or an argument rule could not decide: no scope is known to help.</summary>
    Forbidden,

    /// <summary>The tool's arguments do not conform to its input schema, so no argument rule judged them.</summary>
    InvalidArguments,

    /// <summary>
    /// A caller without credentials asked for something that is not public: it gets the 401 challenge, so it signs in.
    /// </summary>
    SignInRequired,
}
