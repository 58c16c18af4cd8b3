namespace Alerts.Cli;

/// <summary>
/// A file a command writes (<c>--out</c>): opened before the command connects, so a path that cannot be written is bad
/// input named at once, and written under a temporary name that takes the real one only when complete, so a failed or
/// interrupted command never leaves a partial file that reads as whole (JSON lines cut after a line still parse). A
/// path that is not a plain file (a link, <c>/dev/stdout</c>, a pipe) is written in place: renaming over it would replace it.
/// </summary>
public sealed class OutputFile : IAsyncDisposable
{
    private readonly string? _temporary;
    private bool _committed;

    private OutputFile(string path, string? temporary, FileStream stream)
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
        try
        {
            if (Directory.Exists(full)) throw new IOException("it is a directory");
            var existing = new FileInfo(full);
            if (existing.Exists && (existing.LinkTarget is not null || IsSpecial(full)))
                return new OutputFile(full, null, new FileStream(full, FileMode.Open, FileAccess.Write));
            var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
            // The file keeps who may read it: an owner-only export stays owner-only.
            if (existing.Exists && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, File.GetUnixFileMode(full));
            return new OutputFile(full, temporary, stream);
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
        if (_temporary is not null) File.Move(_temporary, FullName, overwrite: true);
        _committed = true;
    }

    /// <summary>Removes the temporary file unless it was committed.</summary>
    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        if (!_committed && _temporary is not null) File.Delete(_temporary);
    }

    // Devices and the process's own descriptors are written in place (on Unix they are files of /dev and /proc).
    private static bool IsSpecial(string full) =>
        full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal);
}
