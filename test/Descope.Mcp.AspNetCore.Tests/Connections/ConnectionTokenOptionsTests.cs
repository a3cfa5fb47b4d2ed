using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Tests.Connections;

public sealed class ConnectionTokenOptionsTests
{
    private const string WellKnownUrl = "https://api.descope.com/v1/apps/agentic/P2abc123/MS2def456/.well-known/openid-configuration";

    [Fact]
    public void Settings_bind_from_the_Descope_Connections_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Descope:McpServerUrl"] = "https://mcp.example.com/mcp",
            ["Descope:WellKnownUrl"] = WellKnownUrl,
            ["Descope:Connections:CacheMaxLifetime"] = "00:00:30",
            ["Descope:Connections:MaxRetryAttempts"] = "5",
            ["Descope:Connections:ConnectRedirectUrl"] = "https://app.example.com/connected",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddDescopeMcp(configuration.GetSection("Descope")).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value.Connections;

        Assert.Equal(TimeSpan.FromSeconds(30), options.CacheMaxLifetime);
        Assert.Equal(5, options.MaxRetryAttempts);
        Assert.Equal("https://app.example.com/connected", options.ConnectRedirectUrl);
    }

    [Theory]
    [InlineData("CacheMaxLifetime", "-00:00:01")]
    [InlineData("CacheExpiryBuffer", "02:00:00")]
    [InlineData("TotalTimeout", "00:10:00")]
    [InlineData("AttemptTimeout", "00:01:00")]
    [InlineData("MaxRetryAttempts", "11")]
    [InlineData("RetryDelay", "-00:00:01")]
    [InlineData("CircuitBreakerFailureRatio", "0")]
    [InlineData("CircuitBreakerMinimumThroughput", "1")]
    [InlineData("CircuitBreakerSamplingDuration", "00:00:00.100")]
    [InlineData("CircuitBreakerBreakDuration", "00:00:00")]
    [InlineData("ConnectRedirectUrl", "not a url")]
    public void A_bad_setting_fails_at_startup_naming_its_key(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Descope:McpServerUrl"] = "https://mcp.example.com/mcp",
            ["Descope:WellKnownUrl"] = WellKnownUrl,
            ["Descope:Connections:" + key] = value,
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddDescopeMcp(configuration.GetSection("Descope")).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value);

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith($"Descope:Connections:{key} must", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_management_key_with_whitespace_fails_at_startup()
    {
        using var services = new ServiceCollection().AddLogging().AddDescopeMcp(o =>
        {
            o.McpServerUrl = "https://mcp.example.com/mcp";
            o.WellKnownUrl = WellKnownUrl;
            o.ManagementKey = "K2abc\r\nX-Injected: 1";
        }).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value);

        Assert.Contains(error.Failures, f => f.StartsWith("Descope:ManagementKey contains whitespace", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Failures, f => f.Contains("K2abc", StringComparison.Ordinal));
    }

    [Fact]
    public void The_defaults_are_valid_and_IConnectionTokenService_is_registered()
    {
        using var services = new ServiceCollection().AddLogging().AddDescopeMcp(o =>
        {
            o.McpServerUrl = "https://mcp.example.com/mcp";
            o.WellKnownUrl = WellKnownUrl;
        }).BuildServiceProvider();

        Assert.NotNull(services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value);
        Assert.NotNull(services.GetRequiredService<IConnectionTokenService>());
    }
}
