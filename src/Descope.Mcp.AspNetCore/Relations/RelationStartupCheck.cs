using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Descope.Mcp.AspNetCore.Relations;

/// <summary>
/// Fails startup, naming what to fix, when a tool, prompt or resource requires relations that cannot be checked: no
/// <c>Descope:ManagementKey</c> (FGA checks are management calls), or an attribute whose argument the primitive does not
/// have or cannot name a resource with one spelling. Its failure is the same <see cref="OptionsValidationException"/> a
/// bad <c>Descope</c> setting gives.
/// </summary>
internal sealed class RelationStartupCheck(IOptions<McpServerOptions> mcpOptions, IOptions<DescopeMcpOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var failures = Failures(mcpOptions.Value, options.Value);
        return failures.Count == 0
            ? Task.CompletedTask
            : throw new OptionsValidationException(DescopeMcpDefaults.ConfigurationSection, typeof(DescopeMcpOptions), failures);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static List<string> Failures(McpServerOptions server, DescopeMcpOptions options)
    {
        IEnumerable<IMcpServerPrimitive> primitives =
        [
            .. (IEnumerable<IMcpServerPrimitive>?)server.ToolCollection ?? [],
            .. (IEnumerable<IMcpServerPrimitive>?)server.PromptCollection ?? [],
            .. (IEnumerable<IMcpServerPrimitive>?)server.ResourceCollection ?? [],
        ];
        var used = primitives.Select(PrimitiveRelations.Of).OfType<PrimitiveRelations>().ToList();
        var failures = used.Select(relations => relations.Problem).OfType<string>().ToList();
        if (used.Count > 0 && string.IsNullOrEmpty(options.ManagementKey))
        {
            failures.Insert(0,
                $"{DescopeMcpDefaults.ConfigurationSection}:ManagementKey is required: {string.Join(", ", used.Select(r => r.Name))} " +
                "require relations ([RequireRelation]), which are checked with Descope FGA, a management API. Create a management key in the " +
                "Descope console and set it, for example from a secret store as Descope__ManagementKey.");
        }

        return failures;
    }
}
