namespace Descope.Mcp.AspNetCore.Tests.Infrastructure;

/// <summary>The checkout the tests were built from: the first folder above the test assembly that holds the solution.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Descope.Mcp.AspNetCore.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Descope.Mcp.AspNetCore.sln.");
    }
}
