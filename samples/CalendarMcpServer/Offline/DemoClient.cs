using System.Net;
using System.Text.Json;
using Descope.Mcp.AspNetCore;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace CalendarMcpServer.Offline;

/// <summary>
/// <c>--demo</c>: once the server listens, the MCP SDK's own client goes through the whole flow against it and prints a
/// transcript: 401 and discovery, authorization, tools/list, a call that needs more scope, 403, step-up, the call
/// succeeding with a connection token from Descope's vault, the calendar events, and a calendar Descope FGA does not let
/// the user view, refused with a tool error. The process exits 0 when every step
/// happened as expected and 1 otherwise, so the demo doubles as a smoke test. Token values are never printed.
/// </summary>
internal sealed class DemoClient(
    OfflineEnvironment offline,
    IOptions<DescopeMcpOptions> options,
    IHostApplicationLifetime lifetime) : IHostedService
{
    private readonly List<string> _deviations = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = RunAndStopAsync());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RunAndStopAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await RunAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            _deviations.Add($"the demo failed: {ex.GetType().Name}: {ex.Message}");
        }

        Console.WriteLine();
        if (_deviations.Count == 0)
        {
            Console.WriteLine("Demo succeeded: every step happened as expected.");
            Environment.ExitCode = 0;
        }
        else
        {
            Console.WriteLine("Demo FAILED:");
            _deviations.ForEach(d => Console.WriteLine("  - " + d));
            Environment.ExitCode = 1;
        }

        lifetime.StopApplication();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var mcpUrl = new Uri(options.Value.McpServerUrl!);
        var transcript = new TranscriptHandler();
        Console.WriteLine();
        Console.WriteLine($"Demo: an MCP client connects to {mcpUrl} as {OfflineEnvironment.DemoUser}");
        Console.WriteLine();

        var transport = new HttpClientTransport(
            new HttpClientTransportOptions
            {
                Endpoint = mcpUrl,
                TransportMode = HttpTransportMode.StreamableHttp,
                OAuth = new ClientOAuthOptions
                {
                    RedirectUri = new Uri("http://127.0.0.1:1/callback"),
                    DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "Calendar demo client" },
                    AuthorizationCallbackHandler = async (context, ct) =>
                    {
                        var query = QueryHelpers.ParseQuery(context.AuthorizationUri.Query);
                        Console.WriteLine($"   user consents in the browser as {offline.Authority.SignedInUser} to scope \"{query.GetValueOrDefault("scope")}\" for resource {query.GetValueOrDefault("resource")}");
                        return await offline.Authority.CompleteAuthorizationAsync(context, ct);
                    },
                },
            },
            new HttpClient(transcript),
            ownsHttpClient: true);

        Step("Connect and list the tools (the client has no token yet)");
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: cancellationToken);
        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
        Console.WriteLine($"   tools/list: {string.Join(", ", tools.Select(t => t.Name))}");
        Expect(transcript.Saw(HttpStatusCode.Unauthorized, "resource_metadata="), "the first MCP request should get 401 with resource_metadata");
        Expect(transcript.Saw("/.well-known/oauth-protected-resource", HttpStatusCode.OK), "the client should read the protected resource metadata");
        Expect(transcript.Saw("/register", HttpStatusCode.Created) || transcript.Saw("/register", HttpStatusCode.OK), "the client should register itself");
        Expect(transcript.Saw("/token", HttpStatusCode.OK), "the client should obtain a token");
        Expect(tools.Any(t => t.Name == "whoami") && tools.All(t => t.Name != "get_calendar_events"),
            "tools/list should hide get_calendar_events until calendar.read is granted");

        Step("Call get_calendar_events, which needs calendar.read (step-up)");
        var vaultRequestsBefore = offline.Authority.Connections.TokenRequestCount;
        var result = await client.CallToolAsync("get_calendar_events", new Dictionary<string, object?> { ["max_results"] = 3 }, cancellationToken: cancellationToken);
        Expect(transcript.Saw(HttpStatusCode.Forbidden, "error=\"insufficient_scope\""), "the first call should get 403 insufficient_scope");
        Expect(result.IsError != true, "the call should succeed after step-up");

        Step("The server exchanged the caller's token for a Google Calendar token held by Descope");
        var connection = offline.DemoConnection;
        Console.WriteLine($"   connection {connection.AppId} for {connection.UserId}: scopes [{string.Join(", ", connection.Scopes)}], expires {connection.ExpiresAt:u} (token value not shown)");
        Expect(offline.Authority.Connections.TokenRequestCount > vaultRequestsBefore, "the server should ask Descope's vault for the connection token");

        Step("Calendar events");
        var text = string.Join('\n', result.Content.OfType<TextContentBlock>().Select(b => b.Text));
        foreach (var line in text.Split('\n'))
        {
            Console.WriteLine("   " + line);
        }

        Expect(text.Split('\n').Length == 3, "three events should come back from the calendar");

        await CallDeniedCalendarAsync(client, transcript, cancellationToken);

        Step("Call get_my_team: the server exchanges the caller's token at Descope (RFC 8693) for the team directory API");
        var team = await client.CallToolAsync("get_my_team", cancellationToken: cancellationToken);
        var exchanges = offline.Authority.TokenExchange.Requests;
        var exchange = exchanges.Count > 0 ? exchanges[^1] : null;
        if (exchange is not null)
        {
            Console.WriteLine($"   POST /oauth2/v1/apps/token ({exchange.ContentType}, {exchange.ClientAuthentication} as {exchange.ClientId}) -> {exchange.StatusCode}");
            foreach (var field in exchange.Fields.Where(f => f.Key != "subject_token"))
            {
                Console.WriteLine($"     {field.Key} = {field.Value}");
            }

            Console.WriteLine("     subject_token = (the caller's access token, not shown)");
        }

        foreach (var line in team.Content.OfType<TextContentBlock>().SelectMany(b => b.Text.Split('\n')))
        {
            Console.WriteLine("   " + line);
        }

        Expect(exchange is { StatusCode: 200 } && team.IsError != true, "the exchange should succeed and the directory API accept the issued token");

        await ConnectThroughElicitationAsync(cancellationToken);
    }

    /// <summary>
    /// Resource-level authorization: the caller has calendar.read, but Descope FGA gives them no viewer relation on the
    /// team calendar. The tool answers with a tool error carrying the structured denial; no step-up is offered, since no
    /// new token can grant a relation, and the Calendar API is never called.
    /// </summary>
    private async Task CallDeniedCalendarAsync(McpClient client, TranscriptHandler transcript, CancellationToken cancellationToken)
    {
        Step($"Call get_calendar_events for calendar {OfflineEnvironment.TeamCalendar}, which Descope FGA does not let {OfflineEnvironment.DemoUser} view");
        var forbiddenBefore = transcript.Count(HttpStatusCode.Forbidden);
        var denied = await client.CallToolAsync(
            "get_calendar_events", new Dictionary<string, object?> { ["calendar_id"] = OfflineEnvironment.TeamCalendar }, cancellationToken: cancellationToken);
        var check = offline.Authority.Relations.Requests.LastOrDefault(r => r.Body.Contains(OfflineEnvironment.TeamCalendar, StringComparison.Ordinal));
        if (check is not null)
        {
            Console.WriteLine($"   the server asked Descope: POST /v1/mgmt/fga/check {check.Body} -> {check.StatusCode} (management key not shown)");
        }

        Console.WriteLine($"   tool error: {string.Join(' ', denied.Content.OfType<TextContentBlock>().Select(b => b.Text))}");
        var authorization = denied.Meta?["io.modelcontextprotocol/authorization"];
        Console.WriteLine($"   _meta[\"io.modelcontextprotocol/authorization\"]: {authorization?.ToJsonString()}");
        Expect(denied.IsError == true && (string?)authorization?["reason"] == "insufficient_authorization",
            "the call on the team calendar should be a tool error with the structured denial");
        Expect(transcript.Count(HttpStatusCode.Forbidden) == forbiddenBefore, "a missing relation should not be answered with a 403 step-up");
    }

    /// <summary>
    /// Adaptive Connect: a user who has not connected Google Calendar, with a client that declared URL-mode elicitation,
    /// is sent to the connect page instead of getting an error; the client "opens" it and retries.
    /// </summary>
    private async Task ConnectThroughElicitationAsync(CancellationToken cancellationToken)
    {
        Step($"{OfflineEnvironment.NewUser} has not connected Google Calendar; their client declared URL-mode elicitation");
        offline.Authority.SignedInUser = OfflineEnvironment.NewUser;
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions
            {
                Endpoint = new Uri(options.Value.McpServerUrl!),
                TransportMode = HttpTransportMode.StreamableHttp,
                OAuth = new ClientOAuthOptions
                {
                    RedirectUri = new Uri("http://127.0.0.1:1/callback"),
                    DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "Calendar demo client (elicitation)" },
                    AuthorizationCallbackHandler = offline.Authority.CompleteAuthorizationAsync,
                },
            },
            new HttpClient(),
            ownsHttpClient: true);
        var clientOptions = new McpClientOptions
        {
            Capabilities = new ClientCapabilities { Elicitation = new ElicitationCapability { Url = new UrlElicitationCapability() } },
        };

        // The elicitation handler "opens" the URL: the offline connect page, answered as the user would.
        clientOptions.Handlers.ElicitationHandler = async (request, ct) =>
        {
            Console.WriteLine($"   the client opens {new Uri(request!.Url!).GetLeftPart(UriPartial.Path)} and the user allows the connection");
            await offline.Authority.CompleteConnectAsync(new Uri(request.Url!), ct);
            return new ElicitResult { Action = "accept" };
        };
        await using var client = await McpClient.CreateAsync(transport, clientOptions, cancellationToken: cancellationToken);
        var arguments = new Dictionary<string, object?> { ["max_results"] = 2 };
        var elicited = false;
        CallToolResult result;
        try
        {
            result = await client.CallToolAsync("get_calendar_events", arguments, cancellationToken: cancellationToken);
        }
        catch (UrlElicitationRequiredException e)
        {
            Console.WriteLine($"   tools/call -> URL elicitation (error {(int)McpErrorCode.UrlElicitationRequired}): \"{e.Elicitations[0].Message}\"");
            elicited = true;
            foreach (var elicitation in e.Elicitations)
            {
                await clientOptions.Handlers.ElicitationHandler(elicitation, cancellationToken);
            }

            Console.WriteLine("   the client retries the call");
            result = await client.CallToolAsync("get_calendar_events", arguments, cancellationToken: cancellationToken);
        }

        foreach (var line in result.Content.OfType<TextContentBlock>().SelectMany(b => b.Text.Split('\n')))
        {
            Console.WriteLine("   " + line);
        }

        Expect(elicited, "the first call should answer with a URL elicitation carrying the connect URL");
        Expect(result.IsError != true, "the retried call should succeed once the user connected the app");
    }

    private static void Step(string title)
    {
        Console.WriteLine();
        Console.WriteLine("== " + title);
    }

    private void Expect(bool condition, string description)
    {
        if (!condition)
        {
            _deviations.Add(description);
            Console.WriteLine("   !! expected: " + description);
        }
    }

    /// <summary>Prints every HTTP exchange of the client: method, path, status and any challenge.</summary>
    private sealed class TranscriptHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly List<(string Path, HttpStatusCode Status, string? Challenge)> _seen = [];

        public bool Saw(HttpStatusCode status, string challengePart) =>
            _seen.Any(e => e.Status == status && e.Challenge?.Contains(challengePart, StringComparison.Ordinal) == true);

        public bool Saw(string pathPart, HttpStatusCode status) =>
            _seen.Any(e => e.Status == status && e.Path.Contains(pathPart, StringComparison.Ordinal));

        public int Count(HttpStatusCode status)
        {
            lock (_seen)
            {
                return _seen.Count(e => e.Status == status);
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var challenge = response.Headers.WwwAuthenticate.Count > 0 ? response.Headers.WwwAuthenticate.ToString() : null;
            var path = request.RequestUri!.GetLeftPart(UriPartial.Path);
            lock (_seen)
            {
                _seen.Add((path, response.StatusCode, challenge));
            }

            var credentials = request.Headers.Authorization is null ? "" : " (with bearer token)";
            var method = await DescribeAsync(request);
            Console.WriteLine($"   {request.Method,-4} {path}{method}{credentials} -> {(int)response.StatusCode}{(challenge is null ? "" : "  WWW-Authenticate: " + challenge)}");
            return response;
        }

        private static async Task<string> DescribeAsync(HttpRequestMessage request)
        {
            if (request.Content is null || request.Content.Headers.ContentType?.MediaType != "application/json")
            {
                return "";
            }

            try
            {
                using var json = JsonDocument.Parse(await request.Content.ReadAsStringAsync());
                return json.RootElement.TryGetProperty("method", out var method) ? $" [{method.GetString()}]" : "";
            }
            catch (JsonException)
            {
                return "";
            }
        }
    }
}
