using CalendarMcpServer;
#if DESCOPE_DEVELOPMENT_AUTHORITY
using CalendarMcpServer.Offline;
#endif

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMcpServer().WithHttpTransport().WithTools<CalendarTools>().WithTools<TeamDirectoryTools>();
builder.Services.AddGoogleCalendarClient().AddTeamDirectoryClient();
builder.AddDescopeMcp();
builder.AddObservability();

#if DESCOPE_DEVELOPMENT_AUTHORITY
// In Development with no Descope project configured: an embedded Descope authority, plus a local Calendar API stand-in.
// Debug builds only: a Release build references no Descope.Mcp.AspNetCore.Testing.
builder.AddDescopeDevelopmentAuthority(authority => builder.AddOfflineCalendar(authority));
#endif
var app = builder.Build();
app.MapMcp("/mcp");
app.MapHealthChecks("/healthz");
app.Run();
