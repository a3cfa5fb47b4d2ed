namespace Descope.Mcp.AspNetCore.Callers;

/// <summary>
/// Who is calling, as <see cref="McpCallerAccessor"/> found it: a validated <see cref="Caller"/>; nobody (work without a
/// request or without a user); or a caller whose token no longer validates (<see cref="Refused"/>), for example because
/// it expired during the call. The last is still a caller: nothing may act in its place, the management key least of all.
/// </summary>
internal readonly record struct McpCallerLookup
{
    private McpCallerLookup(McpCaller? caller, DescopeTokenFailure refused)
    {
        Caller = caller;
        Refused = refused;
    }

    /// <summary>There is no caller at all.</summary>
    public static McpCallerLookup None => default;

    /// <summary>The validated caller, or <see langword="null"/>.</summary>
    public McpCaller? Caller { get; }

    /// <summary>Why the caller's token no longer validates; <see cref="DescopeTokenFailure.None"/> otherwise.</summary>
    public DescopeTokenFailure Refused { get; }

    /// <summary>Whether there was a caller whose token no longer validates.</summary>
    public bool IsRefused => Refused != DescopeTokenFailure.None;

    public static McpCallerLookup Found(McpCaller caller) => new(caller, DescopeTokenFailure.None);

    public static McpCallerLookup RefusedFor(DescopeTokenFailure failure) =>
        new(null, failure == DescopeTokenFailure.None ? DescopeTokenFailure.Invalid : failure);
}
