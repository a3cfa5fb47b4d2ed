using Descope.Mcp.AspNetCore.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Benchmarks;

/// <summary>What the DPoP benchmarks share: fresh proofs made before a run, and one request authenticated by the scheme.</summary>
internal static class DPoPBenchmarkRequests
{
    public const string McpUrl = "https://mcp.example.com/mcp";

    /// <summary>Proofs made before a run, each accepted once: a run must stay inside them (see docs/contributing/benchmarks.md).</summary>
    public const int Proofs = 250_000;

    /// <summary><see cref="Proofs"/> fresh ES256 proofs of <paramref name="key"/> for a POST to the MCP URL with <paramref name="token"/>.</summary>
    public static string[] CreateProofs(TestDPoPKey key, string token)
    {
        var proofs = new string[Proofs];
        for (var i = 0; i < Proofs; i++)
        {
            proofs[i] = key.CreateProof("POST", McpUrl, token);
        }

        return proofs;
    }

    /// <summary>
    /// Authenticates one POST to the MCP URL through the scheme of <paramref name="scopes"/>' services, as a request of
    /// its own scope; a refusal throws, so a benchmark never measures a refused request by mistake.
    /// </summary>
    public static async Task<bool> AuthenticateAsync(IServiceScopeFactory scopes, string authorization, string? proof)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = HttpMethods.Post;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("mcp.example.com");
        context.Request.Path = "/mcp";
        context.Request.Headers.Authorization = authorization;
        if (proof is not null)
        {
            context.Request.Headers["DPoP"] = proof;
        }

        var result = await context.AuthenticateAsync();
        return result.Succeeded ? true : throw new InvalidOperationException("The request was refused: " + result.Failure?.Message);
    }
}
