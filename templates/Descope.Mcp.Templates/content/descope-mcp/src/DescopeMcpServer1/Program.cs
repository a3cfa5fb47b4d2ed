using DescopeMcpServer1;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMcpServer().WithHttpTransport().WithTools<Tools>();
builder.AddDescopeMcp();                    // Descope protects the MCP endpoint ("Descope" configuration section)
//-:cnd:noEmit
#if DESCOPE_DEVELOPMENT_AUTHORITY
builder.AddDescopeDevelopmentAuthority();   // Debug builds, in Development without a Descope project: an embedded Descope authority
#endif
//+:cnd:noEmit
var app = builder.Build();
app.MapMcp("/mcp");
app.Run();

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
