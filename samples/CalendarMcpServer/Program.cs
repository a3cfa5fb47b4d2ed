using CalendarMcpServer;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMcpServer().WithHttpTransport().WithTools<CalendarTools>().WithTools<TeamDirectoryTools>();
builder.Services.AddGoogleCalendarClient().AddTeamDirectoryClient();
builder.AddDescopeMcp();
var app = builder.Build();
app.MapMcp("/mcp");
app.Run();
