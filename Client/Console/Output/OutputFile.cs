namespace Alerts.Cli;

/// <summary>
/// A file a command writes (<c>--out</c>): opened before the command connects, so a path that cannot be written is bad
/// input named at once, and written under a temporary name that takes the real one only when complete, so a failed or
/// interrupted command never leaves a partial file that reads as whole (JSON lines cut after a line still parse). A
/// link is written through: its final target is replaced the same way and the link stays. A device or a descriptor
/// (<c>/dev/stdout</c>, a pipe) is written in place: renaming over it would replace it, and it has no old bytes to keep.
/// </summary>
public sealed class OutputFile : IAsyncDisposable
{
    private readonly string? _temporary;
    private readonly string _target;
    private bool _committed;

    private OutputFile(string path, string target, string? temporary, FileStream stream)
    {
        FullName = path;
        _target = target;
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
            // Opened in place, a link kept the old bytes past the new end: a corrupt file reported as written. So the
            // file it finally points to is replaced whole, beside itself, and the link is left as it was.
            var info = new FileInfo(full);
            var target = info.LinkTarget is null ? full : info.ResolveLinkTarget(returnFinalTarget: true)!.FullName;
            if (IsSpecial(full) || IsSpecial(target))
                return new OutputFile(full, full, null, new FileStream(full, FileMode.Open, FileAccess.Write));
            var existing = new FileInfo(target);
            var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
            // The file keeps who may read it: an owner-only export stays owner-only.
            if (existing.Exists && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, File.GetUnixFileMode(target));
            return new OutputFile(full, target, temporary, stream);
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
        if (_temporary is not null) File.Move(_temporary, _target, overwrite: true);
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
