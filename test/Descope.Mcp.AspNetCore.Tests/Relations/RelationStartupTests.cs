using Descope.Mcp.AspNetCore.Testing;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Tests.Relations;

/// <summary>
/// Relations that cannot be checked stop the server from starting, with a message naming what to fix: no management key,
/// an argument the tool does not have, a value the tool reads from several spellings, invalid <c>Descope:Fga</c> settings.
/// </summary>
public sealed class RelationStartupTests : IAsyncLifetime
{
    private DescopeTestAuthority _authority = null!;

    public async Task InitializeAsync() => _authority = await DescopeTestAuthority.StartAsync();

    public async Task DisposeAsync() => await _authority.DisposeAsync();

    [Fact]
    public async Task Startup_fails_naming_Descope_ManagementKey_when_a_tool_requires_relations_without_one()
    {
        var error = await StartFailsAsync(builder => builder.WithTools<RelationTools>());

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith("Descope:ManagementKey is required:", failure, StringComparison.Ordinal);
        Assert.Contains("read_calendar", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_without_relations_starts_without_a_management_key()
    {
        await using var server = await ProtectedMcpServer.StartAsync(_authority);

        Assert.NotNull(server.Services.GetRequiredService<IDescopeRelations>());
    }

    [Fact]
    public async Task Startup_fails_naming_an_argument_the_tool_does_not_have()
    {
        var error = await StartFailsAsync(builder => builder.WithTools<MisnamedRelationTools>(), o => o.ManagementKey = "K2test");

        Assert.Equal(
            "The tool misnamed: [RequireRelation] names the argument 'calendarId', which its input schema does not declare (names are compared exactly).",
            Assert.Single(error.Failures));
    }

    [Fact]
    public async Task Startup_fails_for_an_argument_the_tool_reads_from_several_spellings()
    {
        var error = await StartFailsAsync(builder => builder.WithTools<GuidRelationTools>(), o => o.ManagementKey = "K2test");

        Assert.Contains("The tool by_guid: [RequireRelation] names the argument 'document_id', which is not a string or an integer", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Fga:CacheDuration", "-00:00:01", "Descope:Fga:CacheDuration must be between 00:00:00 (no caching) and 1.00:00:00")]
    [InlineData("Fga:UserTargetType", " ", "Descope:Fga:UserTargetType must name the type of users")]
    [InlineData("Fga:BaseUrl", "http://fga.example.com", "Descope:Fga:BaseUrl 'http://fga.example.com' is not where Descope FGA checks can go")]
    [InlineData("Fga:AttemptTimeout", "00:01:00", "Descope:Fga:AttemptTimeout must be at least 00:00:00.010 and at most Descope:Fga:TotalTimeout")]
    public async Task Invalid_Fga_settings_fail_startup_naming_the_key(string key, string value, string message)
    {
        var error = await StartFailsAsync(builder => builder.WithTools<TestTools>(), o =>
        {
            switch (key)
            {
                case "Fga:CacheDuration": o.Fga.CacheDuration = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "Fga:UserTargetType": o.Fga.UserTargetType = value; break;
                case "Fga:BaseUrl": o.Fga.BaseUrl = value; break;
                default: o.Fga.AttemptTimeout = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            }
        });

        Assert.Contains(error.Failures, f => f.StartsWith(message, StringComparison.Ordinal));
    }

    private async Task<OptionsValidationException> StartFailsAsync(Action<IMcpServerBuilder> mcp, Action<DescopeMcpOptions>? configure = null) =>
        await Assert.ThrowsAsync<OptionsValidationException>(() => ProtectedMcpServer.StartAsync(_authority, configure, mcp: mcp));
}
