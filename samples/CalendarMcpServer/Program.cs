using CalendarMcpServer;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMcpServer().WithHttpTransport().WithTools<CalendarTools>();
builder.Services.AddGoogleCalendarClient();
builder.AddDescopeMcp();
var app = builder.Build();
app.MapMcp("/mcp");
app.Run();
