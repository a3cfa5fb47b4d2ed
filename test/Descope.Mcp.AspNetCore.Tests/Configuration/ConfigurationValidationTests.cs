using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Descope.Mcp.AspNetCore.Tests.Configuration;

/// <summary>
/// Misconfiguration fails at startup, and the message names the key and shows a good value.
/// </summary>
public sealed class ConfigurationValidationTests
{
    private const string GoodWellKnown = "https://api.descope.com/v1/apps/agentic/P2abc123/MS2def456/.well-known/openid-configuration";

    private static async Task<OptionsValidationException> StartFailsAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMcpServer().WithHttpTransport();
        builder.AddDescopeMcp();

        // Whichever startup step first reads the options reports the failure.
        return await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = builder.Build();
            app.MapMcp("/mcp");
            await app.StartAsync();
        });
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["Descope:McpServerUrl"] = "https://mcp.example.com/mcp",
        ["Descope:WellKnownUrl"] = GoodWellKnown,
    };

    [Fact]
    public async Task Missing_McpServerUrl_names_the_key_and_shows_an_example()
    {
        var settings = Valid();
        settings.Remove("Descope:McpServerUrl");

        var error = await StartFailsAsync(settings);

        var message = Assert.Single(error.Failures);
        Assert.StartsWith("Descope:McpServerUrl is required", message, StringComparison.Ordinal);
        Assert.Contains("https://mcp.example.com/mcp", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("/mcp")]
    [InlineData("http://mcp.example.com/mcp")]
    [InlineData("https://mcp.example.com/mcp#fragment")]
    [InlineData("https://mcp.example.com/mcp?x=1")]
    [InlineData("ftp://mcp.example.com/mcp")]
    public async Task Malformed_or_insecure_McpServerUrl_is_refused(string value)
    {
        var settings = Valid();
        settings["Descope:McpServerUrl"] = value;

        var error = await StartFailsAsync(settings);

        Assert.StartsWith("Descope:McpServerUrl '", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://example.com/.well-known/openid-configuration")]
    [InlineData("https://api.descope.com/v1/apps/agentic/P2abc123/.well-known/openid-configuration")]
    [InlineData("https://api.descope.com/v1/apps/agentic/notaproject/MS2def456/.well-known/openid-configuration")]
    [InlineData("http://api.descope.com/v1/apps/agentic/P2abc123/MS2def456/.well-known/openid-configuration")]
    [InlineData("descope")]
    public async Task A_discovery_url_that_is_not_Descope_shaped_is_refused(string value)
    {
        var settings = Valid();
        settings["Descope:WellKnownUrl"] = value;

        var error = await StartFailsAsync(settings);

        Assert.Contains(error.Failures, f => f.StartsWith("Descope:WellKnownUrl '", StringComparison.Ordinal) && f.Contains(GoodWellKnown[..40], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Neither_discovery_url_nor_project_id_is_refused()
    {
        var error = await StartFailsAsync(new() { ["Descope:McpServerUrl"] = "https://mcp.example.com/mcp" });

        Assert.StartsWith("Descope:WellKnownUrl is required unless Descope:ProjectId is set", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_discovery_url_with_a_typo_at_its_end_is_shown_whole_and_the_wrong_part_named()
    {
        const string typo = "https://api.descope.com/v1/apps/agentic/P2Uabcdefghijklmnopqrstuvwxyz0123/MS2Uabcdefghijklmnopqrstuvwxyz01234/.well-known/openid-configuraton";
        var settings = Valid();
        settings["Descope:WellKnownUrl"] = typo;

        var error = await StartFailsAsync(settings);

        var message = Assert.Single(error.Failures);
        Assert.StartsWith($"Descope:WellKnownUrl '{typo}' is not a Descope MCP Server discovery URL: its path must end with /.well-known/openid-configuration.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("…", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_discovery_url_is_blamed_alone_not_the_base_url_derived_from_it()
    {
        var settings = Valid();
        settings["Descope:WellKnownUrl"] = "http://api.descope.com/v1/apps/agentic/P2abc123/MS2def456/.well-known/openid-configuration";

        var error = await StartFailsAsync(settings);

        var message = Assert.Single(error.Failures);
        Assert.StartsWith("Descope:WellKnownUrl 'http://api.descope.com/", message, StringComparison.Ordinal);
        Assert.Contains("http is accepted only for localhost, use https", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("project-1")]
    [InlineData("P2 a project ID with spaces, pasted from a page")]
    public async Task A_malformed_project_id_is_blamed_alone_not_the_discovery_url_it_stands_for(string projectId)
    {
        var error = await StartFailsAsync(new() { ["Descope:McpServerUrl"] = "https://mcp.example.com/mcp", ["Descope:ProjectId"] = projectId });

        Assert.StartsWith($"Descope:ProjectId '{projectId}' is not a Descope project ID", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_base_url_is_blamed_alone_not_the_discovery_url_derived_from_it()
    {
        var error = await StartFailsAsync(new()
        {
            ["Descope:McpServerUrl"] = "https://mcp.example.com/mcp",
            ["Descope:ProjectId"] = "P2abc123",
            ["Descope:BaseUrl"] = "http://api.descope.com",
        });

        Assert.StartsWith("Descope:BaseUrl 'http://api.descope.com' is not a Descope API origin", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Descope:ProjectId", "P2other", "Descope:ProjectId 'P2other' does not match")]
    [InlineData("Descope:ProjectId", "project-1", "Descope:ProjectId 'project-1' is not a Descope project ID")]
    [InlineData("Descope:McpServerId", "MS2other", "Descope:McpServerId 'MS2other' does not match")]
    [InlineData("Descope:BaseUrl", "http://api.descope.com", "Descope:BaseUrl 'http://api.descope.com' is not a Descope API origin")]
    [InlineData("Descope:BaseUrl", "https://api.descope.com/v1", "Descope:BaseUrl 'https://api.descope.com/v1' is not a Descope API origin")]
    [InlineData("Descope:AllowedSigningAlgorithms:0", "HS256", "Descope:AllowedSigningAlgorithms contains 'HS256'")]
    [InlineData("Descope:AllowedSigningAlgorithms:0", "none", "Descope:AllowedSigningAlgorithms contains 'none'")]
    [InlineData("Descope:ScopesSupported:0", "bad scope", "Descope:ScopesSupported contains 'bad scope'")]
    [InlineData("Descope:ScopesSupported:0", "offline_access", "Descope:ScopesSupported must not contain offline_access")]
    [InlineData("Descope:AdditionalAudiences:0", " ", "Descope:AdditionalAudiences contains an empty value")]
    [InlineData("Descope:ClockSkew", "01:00:00", "Descope:ClockSkew must be between")]
    [InlineData("Descope:KeyRefreshInterval", "00:00:00", "Descope:KeyRefreshInterval must be at least one second")]
    [InlineData("Descope:AutomaticKeyRefreshInterval", "00:01:00", "Descope:AutomaticKeyRefreshInterval must be at least five minutes")]
    [InlineData("Descope:BackchannelTimeout", "00:00:00", "Descope:BackchannelTimeout must be greater than zero")]
    [InlineData("Descope:ValidatedTokenCacheDuration", "02:00:00", "Descope:ValidatedTokenCacheDuration must be between")]
    [InlineData("Descope:ValidatedTokenCacheSize", "0", "Descope:ValidatedTokenCacheSize must be at least 1")]
    [InlineData("Descope:ValidatedTokenCacheMemoryLimit", "65536", "Descope:ValidatedTokenCacheMemoryLimit must be at least 1048576 bytes")]
    [InlineData("Descope:TokenExchange:ClientId", "mcp-server", "Descope:TokenExchange:ClientSecret is required when Descope:TokenExchange:ClientId is set")]
    [InlineData("Descope:AnonymousAccess", "2", "Descope:AnonymousAccess must be None or PublicPrimitives.")]
    public async Task Each_bad_key_is_named(string key, string value, string expected)
    {
        var settings = Valid();
        settings[key] = value;

        var error = await StartFailsAsync(settings);

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://localhost:5000/mcp")]
    [InlineData("http://127.0.0.1:5000/mcp")]
    [InlineData("http://[::1]:5000/mcp")]
    public async Task Http_is_accepted_for_loopback_hosts(string url)
    {
        await using var authority = await DescopeTestAuthority.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddMcpServer().WithHttpTransport();
        builder.Services.AddDescopeTestAuthority(authority);
        builder.Services.AddDescopeMcp(o => o.McpServerUrl = url);
        await using var app = builder.Build();
        app.MapMcp("/mcp");

        await app.StartAsync();

        Assert.Equal(url, app.Services.GetRequiredService<IOptions<DescopeMcpOptions>>().Value.McpServerUrl);
        await app.StopAsync();
    }

    [Theory]
    [InlineData("P2abc123", "https://api.descope.com")]
    [InlineData("P2Uabcdefghijklmnopqrstuvwxyz0123", "https://api.2uab.descope.com")]
    public void Base_url_follows_the_region_rule_when_only_the_project_is_configured(string projectId, string expected)
    {
        var options = Resolve(o => { o.McpServerUrl = "https://mcp.example.com/mcp"; o.ProjectId = projectId; o.McpServerId = "MS2def456"; });

        Assert.Equal(expected, options.BaseUrl);
        Assert.Equal($"{expected}/v1/apps/agentic/{projectId}/MS2def456/.well-known/openid-configuration", options.WellKnownUrl);
    }

    [Fact]
    public void Project_server_and_base_url_are_derived_from_the_discovery_url()
    {
        var options = Resolve(o => { o.McpServerUrl = "https://mcp.example.com/mcp"; o.WellKnownUrl = "https://auth.example.com/v1/apps/agentic/P2abc123/MS2def456/.well-known/openid-configuration"; });

        Assert.Equal("P2abc123", options.ProjectId);
        Assert.Equal("MS2def456", options.McpServerId);
        Assert.Equal("https://auth.example.com", options.BaseUrl);
        Assert.Equal(["RS256"], options.AllowedSigningAlgorithms);
    }

    [Fact]
    public void An_explicit_base_url_wins()
    {
        var options = Resolve(o => { o.McpServerUrl = "https://mcp.example.com/mcp"; o.WellKnownUrl = GoodWellKnown; o.BaseUrl = "https://api.eu.descope.com"; });

        Assert.Equal("https://api.eu.descope.com", options.BaseUrl);
    }

    [Fact]
    public void Environment_variables_bind_with_double_underscores()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Descope__McpServerUrl"] = "https://mcp.example.com/mcp",
            ["Descope__WellKnownUrl"] = GoodWellKnown,
        }.Select(p => new KeyValuePair<string, string?>(p.Key.Replace("__", ":", StringComparison.Ordinal), p.Value))).Build();
        var services = new ServiceCollection().AddDescopeMcp(configuration.GetSection("Descope"));

        var options = services.BuildServiceProvider().GetRequiredService<IOptions<DescopeMcpOptions>>().Value;

        Assert.Equal("P2abc123", options.ProjectId);
    }

    [Fact]
    public void Adding_Descope_twice_is_harmless()
    {
        var services = new ServiceCollection();
        services.AddDescopeMcp(o => { o.McpServerUrl = "https://mcp.example.com/mcp"; o.WellKnownUrl = GoodWellKnown; });
        var count = services.Count;

        services.AddDescopeMcp(o => o.ClockSkew = TimeSpan.FromSeconds(10));

        Assert.Equal(count + 1, services.Count);
        var options = services.BuildServiceProvider().GetRequiredService<IOptions<DescopeMcpOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(10), options.ClockSkew);
        Assert.Equal("https://mcp.example.com/mcp", options.McpServerUrl);
    }

    [Fact]
    public void Per_tool_authorization_settings_bind_from_configuration()
    {
        var settings = Valid();
        settings["Descope:ToolAuthorizationFailureMode"] = "ToolError";
        settings["Descope:AnonymousAccess"] = "PublicPrimitives";
        settings["Descope:HideUnauthorizedPrimitives"] = "false";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var defaults = new ServiceCollection().AddDescopeMcp(new ConfigurationBuilder().AddInMemoryCollection(Valid()).Build().GetSection("Descope"));
        var services = new ServiceCollection().AddDescopeMcp(configuration.GetSection("Descope"));

        var byDefault = defaults.BuildServiceProvider().GetRequiredService<IOptions<DescopeMcpOptions>>().Value;
        var options = services.BuildServiceProvider().GetRequiredService<IOptions<DescopeMcpOptions>>().Value;

        Assert.Equal((AnonymousAccess.None, true), (byDefault.AnonymousAccess, byDefault.HideUnauthorizedPrimitives));
        Assert.Equal(ToolAuthorizationFailureMode.ToolError, options.ToolAuthorizationFailureMode);
        Assert.Equal(AnonymousAccess.PublicPrimitives, options.AnonymousAccess);
        Assert.False(options.HideUnauthorizedPrimitives);
    }

    [Fact]
    public void ScopeHierarchy_binds_from_environment_style_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Descope__McpServerUrl"] = "https://mcp.example.com/mcp",
            ["Descope__WellKnownUrl"] = GoodWellKnown,
            ["Descope__ScopeHierarchy__calendar__0"] = "calendar.read",
            ["Descope__ScopeHierarchy__calendar__1"] = "calendar.write",
            ["Descope__ScopeHierarchy__calendar.admin__0"] = "calendar",
        }.Select(p => new KeyValuePair<string, string?>(p.Key.Replace("__", ":", StringComparison.Ordinal), p.Value))).Build();
        var services = new ServiceCollection().AddDescopeMcp(configuration.GetSection("Descope"));

        var options = services.BuildServiceProvider().GetRequiredService<IOptions<DescopeMcpOptions>>().Value;

        Assert.Equal(["calendar.read", "calendar.write"], options.ScopeHierarchy["calendar"]);
        Assert.Equal(["calendar"], options.ScopeHierarchy["calendar.admin"]);
    }

    [Theory]
    [InlineData("Descope:ScopeHierarchy:a:0", "b", "Descope:ScopeHierarchy:b:0", "a", "Descope:ScopeHierarchy:a is part of a cycle (a -> b -> a)")]
    [InlineData("Descope:ScopeHierarchy:a:0", "a", "Descope:ScopeHierarchy:x:0", "y", "Descope:ScopeHierarchy:a is part of a cycle (a -> a)")]
    [InlineData("Descope:ScopeHierarchy:calendar:0", "calendar read", "Descope:ScopeHierarchy:x:0", "y", "Descope:ScopeHierarchy:calendar:0 is 'calendar read', which is not a valid OAuth scope")]
    [InlineData("Descope:ScopeHierarchy:calendar:0", "", "Descope:ScopeHierarchy:x:0", "y", "Descope:ScopeHierarchy:calendar:0 is '', which is not a valid OAuth scope")]
    public async Task A_cycle_or_a_malformed_scope_in_the_hierarchy_fails_at_startup_naming_the_key(string key1, string value1, string key2, string value2, string expected)
    {
        var settings = Valid();
        settings[key1] = value1;
        settings[key2] = value2;

        var error = await StartFailsAsync(settings);

        Assert.StartsWith(expected, Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void A_broader_scope_that_is_empty_or_has_a_space_is_refused_naming_the_key()
    {
        var options = new DescopeMcpOptions { McpServerUrl = "https://mcp.example.com/mcp", WellKnownUrl = GoodWellKnown };
        options.ScopeHierarchy["calendar admin"] = ["calendar"];
        options.ScopeHierarchy[""] = ["calendar"];

        var failures = Assert.Throws<OptionsValidationException>(() => Resolve(o =>
        {
            o.McpServerUrl = options.McpServerUrl;
            o.WellKnownUrl = options.WellKnownUrl;
            foreach (var (broader, narrower) in options.ScopeHierarchy)
            {
                o.ScopeHierarchy[broader] = narrower;
            }
        })).Failures.ToArray();

        Assert.Contains(failures, f => f.StartsWith("Descope:ScopeHierarchy:calendar admin is not a valid OAuth scope name", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Descope:ScopeHierarchy: is not a valid OAuth scope name", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("redis.internal:6379,password=hunter2,notAnOption=1")]
    [InlineData("password=hunter2,ssl=true")]
    [InlineData("   ")]
    public async Task A_ReplayRedis_that_is_not_a_redis_configuration_is_refused_without_repeating_it(string value)
    {
        var settings = Valid();
        settings["Descope:DPoP:ReplayRedis"] = value;

        var error = await StartFailsAsync(settings);

        var message = Assert.Single(error.Failures);
        Assert.StartsWith("Descope:DPoP:ReplayRedis is not a StackExchange.Redis configuration string", message, StringComparison.Ordinal);
        Assert.Contains("redis.internal:6379,ssl=true", message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplayRedis_is_bound_from_configuration()
    {
        var settings = Valid();
        settings["Descope:DPoP:ReplayRedis"] = "redis.internal:6379,ssl=true";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var options = new ServiceCollection().AddDescopeMcp(configuration.GetSection("Descope")).BuildServiceProvider()
            .GetRequiredService<IOptions<DescopeMcpOptions>>().Value;

        Assert.Equal("redis.internal:6379,ssl=true", options.DPoP.ReplayRedis);
    }

    private static DescopeMcpOptions Resolve(Action<DescopeMcpOptions> configure) =>
        new ServiceCollection().AddDescopeMcp(configure).BuildServiceProvider().GetRequiredService<IOptions<DescopeMcpOptions>>().Value;
}
