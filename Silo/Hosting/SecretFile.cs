namespace Alerts.Silo;

/// <summary>A file holding a secret: written whole to a new owner-only file, synced, then moved into place.</summary>
public static class SecretFile
{
    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> (its folder made owner-only if it is new): never in a file
    /// others can read, nor half-written after a crash or a power loss. Without <paramref name="overwrite"/> an existing
    /// file wins (a silo sharing the folder made it first) and false is returned.
    /// </summary>
    public static bool Write(string path, string text, bool overwrite)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
            else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Unique, so two silos sharing a folder (tests) never write the same temporary file.
        var temporary = $"{path}.{Guid.NewGuid():N}.new";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text + "\n");
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        try
        {
            File.Move(temporary, path, overwrite);
            return true;
        }
        catch (IOException) when (!overwrite && File.Exists(path))
        {
            File.Delete(temporary);
            return false;
        }
    }
}
