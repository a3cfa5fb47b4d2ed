using CalendarMcpServer;
using CalendarMcpServer.Offline;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMcpServer().WithHttpTransport().WithTools<CalendarTools>().WithTools<TeamDirectoryTools>();
builder.Services.AddGoogleCalendarClient().AddTeamDirectoryClient();
builder.AddDescopeMcp();
builder.AddObservability();

// In Development with no Descope project configured: an embedded Descope authority, plus a local Calendar API stand-in.
builder.AddDescopeDevelopmentAuthority(authority => builder.AddOfflineCalendar(authority));
var app = builder.Build();
app.MapMcp("/mcp");
app.MapHealthChecks("/healthz");
app.Run();
