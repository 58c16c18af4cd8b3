namespace Alerts.Cli;

/// <summary>A file holding one credential, readable by its owner only.</summary>
public static class CredentialFile
{
    /// <summary>Creates <paramref name="path"/> with mode 0600 before the secret goes in.</summary>
    public static void Write(string path, string credential)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(credential);
    }
}
