namespace Alerts.Cli;

/// <summary>
/// A file a command writes (<c>--out</c>): opened before the command connects, so a path that cannot be written is bad
/// input named at once, and written under a temporary name that takes the real one only when complete, so a failed or
/// interrupted command never leaves a partial file that reads as whole (JSON lines cut after a line still parse).
/// </summary>
public sealed class OutputFile : IAsyncDisposable
{
    private readonly string _temporary;
    private bool _committed;

    private OutputFile(string path, string temporary, FileStream stream)
    {
        FullName = path;
        _temporary = temporary;
        Stream = stream;
    }

    /// <summary>The full path the file gets once complete.</summary>
    public string FullName { get; }

    /// <summary>Where to write.</summary>
    public FileStream Stream { get; }

    /// <summary>Opens the temporary file beside <paramref name="path"/>; refuses, naming <paramref name="option"/>, what cannot be written.</summary>
    public static OutputFile Open(string path, string option = "--out")
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.partial");
        try
        {
            if (Directory.Exists(full)) throw new IOException("it is a directory");
            return new OutputFile(full, temporary, new FileStream(temporary, FileMode.CreateNew, FileAccess.Write));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConsoleFailure(ExitCodes.BadInput, $"{option} {path} cannot be written: {e.Message}");
        }
    }

    /// <summary>Flushes the file and gives it its real name, replacing what was there.</summary>
    public async Task CommitAsync()
    {
        await Stream.FlushAsync();
        await Stream.DisposeAsync();
        File.Move(_temporary, FullName, overwrite: true);
        _committed = true;
    }

    /// <summary>Removes the temporary file unless it was committed.</summary>
    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        if (!_committed) File.Delete(_temporary);
    }
}
