namespace Alerts.TestSupport;

/// <summary>A temporary folder for this test process's SQLite files, removed when the process exits.</summary>
public static class ScratchFolder
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"alerts-tests-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            // Best effort: a file still held by a child process must not fail the test run.
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return path;
    });

    /// <summary>A new file path inside the folder.</summary>
    public static string NewFile(string extension) => Path.Combine(Folder.Value, Guid.NewGuid().ToString("N") + extension);

    /// <summary>A new, empty folder inside the folder.</summary>
    public static string NewFolder() => Directory.CreateDirectory(NewFile("")).FullName;
}
