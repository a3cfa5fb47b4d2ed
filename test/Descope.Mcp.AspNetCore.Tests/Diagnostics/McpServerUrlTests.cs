using System.Net.Http.Json;
using System.Text.Json;
using Descope.Mcp.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Tests.Diagnostics;

/// <summary>
/// <c>McpServerUrl</c> is echoed as the metadata's <c>resource</c>, which clients compare with the URL they connected
/// to: what RFC 3986 lets be normalised is, and the rest is refused with the corrected value.
/// </summary>
public sealed class McpServerUrlTests
{
    [Fact]
    public async Task Scheme_and_host_case_are_normalised_in_the_metadata()
    {
        await using var host = await ObservedServer.StartAsync(
            configure: options => options.McpServerUrl = options.McpServerUrl!.Replace("http://127.0.0.1", "HTTP://LocalHost", StringComparison.Ordinal));

        var metadata = await host.Server.Http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-protected-resource/mcp");

        Assert.Equal($"http://localhost:{host.Server.BaseAddress.Port}/mcp", metadata.GetProperty("resource").GetString());
    }

    [Theory]
    [InlineData("https://mcp.example.com/mcp/", "https://mcp.example.com/mcp")]
    [InlineData("https://MCP.example.com/tools/../mcp", "https://mcp.example.com/mcp")]
    public async Task A_form_that_cannot_be_normalised_is_refused_with_the_corrected_value(string configured, string corrected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
            await ObservedServer.StartAsync(configure: options => options.McpServerUrl = configured));

        var message = Assert.Single(error.Failures);
        Assert.StartsWith("Descope:McpServerUrl", message, StringComparison.Ordinal);
        Assert.Contains("use " + corrected + " ", message, StringComparison.Ordinal);
    }
}
