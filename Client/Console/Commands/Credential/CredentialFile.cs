namespace Alerts.Cli;

/// <summary>A file holding one credential, readable by its owner only.</summary>
public static class CredentialFile
{
    /// <summary>
    /// Creates <paramref name="path"/> empty with mode 0600, before the credential exists: a file that cannot be written
    /// is refused before the silo makes a secret nobody would see again.
    /// </summary>
    public static FileStream Create(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            return new FileStream(path, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = File.Exists(path) ? "it exists already; choose another or delete it first" : e.Message;
            throw new ConsoleFailure(ExitCodes.BadInput, $"save file {path} cannot be created: {reason}", e);
        }
    }

    /// <summary>Writes the credential into a file made by <see cref="Create"/> and closes it.</summary>
    public static void Write(FileStream file, string credential)
    {
        using var writer = new StreamWriter(file);
        writer.WriteLine(credential);
    }
}
