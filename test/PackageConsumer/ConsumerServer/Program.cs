using ConsumerServer;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMcpServer().WithHttpTransport().WithTools<NotesTools>();
builder.AddDescopeMcp();
builder.AddDescopeDevelopmentAuthority();
var app = builder.Build();
app.MapMcp("/mcp");
app.Run();

/// <summary>The entry point, for <c>WebApplicationFactory</c>.</summary>
public partial class Program;
