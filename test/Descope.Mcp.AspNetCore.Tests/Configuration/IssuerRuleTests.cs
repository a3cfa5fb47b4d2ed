using Descope.Mcp.AspNetCore.Configuration;

namespace Descope.Mcp.AspNetCore.Tests.Configuration;

/// <summary>
/// The issuer rule on Descope's real origin: exactly the documented forms, compared as written.
/// </summary>
public sealed class IssuerRuleTests
{
    private const string Project = "P2abc";

    private static readonly DescopeIssuerRule Rule = new(Project, new Uri("https://api.descope.com"));

    [Theory]
    [InlineData("https://api.descope.com/v1/apps/P2abc")]
    [InlineData("https://api.descope.com/v1/apps/P2abc/T2tenant")]
    [InlineData("https://api.descope.com/v1/apps/agentic/P2abc/MS2def")]
    [InlineData("P2abc")]
    [InlineData("https://issuer.example/from-discovery")]
    public void The_documented_forms_are_trusted(string issuer) =>
        Assert.True(Rule.IsTrusted(issuer, "https://issuer.example/from-discovery"));

    [Theory]
    [InlineData("https://api.descope.com:443/v1/apps/P2abc")]
    [InlineData("HTTPS://API.DESCOPE.COM/v1/apps/P2abc")]
    [InlineData("https://api.descope.com/v1/apps/x/../P2abc")]
    [InlineData("https://api.descope.com//v1//apps//P2abc")]
    [InlineData("https://api.descope.com/v1/apps/P2abc/")]
    [InlineData("https://api.descope.com/v1/apps/P2abc/T2tenant/")]
    [InlineData("https://api.descope.com/v1/apps/%50%32abc")]
    [InlineData("https://api.descope.com/v1/apps/P2abc/..")]
    [InlineData("https://api.descope.com/v1/apps/P2abc?x=1")]
    [InlineData("http://api.descope.com/v1/apps/P2abc")]
    [InlineData("https://api.descope.com.evil.example/v1/apps/P2abc")]
    [InlineData("https://issuer.example/from-discovery/")]
    [InlineData("p2abc")]
    public void Other_spellings_are_not_trusted(string issuer) =>
        Assert.False(Rule.IsTrusted(issuer, "https://issuer.example/from-discovery"));
}
