using CalendarMcpServer;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMcpServer().WithHttpTransport().WithTools<CalendarTools>();
builder.Services.AddGoogleCalendarClient();
builder.AddDescopeMcp();
builder.AddObservability();
var app = builder.Build();
app.MapMcp("/mcp");
app.MapHealthChecks("/healthz");
app.Run();
