namespace Alerts.Cli;

/// <summary>
/// Refuses a file holding a secret that others on the machine can read, as ssh refuses such a key: a credential that
/// anyone could copy is as good as published, and the admin would never know.
/// </summary>
public static class OwnerOnlyFile
{
    private const UnixFileMode OthersAndGroup =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Throws a bad-input failure naming <paramref name="what"/> and the fix when the file's group or others have any access.</summary>
    public static void Check(string path, string what)
    {
        // Windows keeps access in ACLs, not mode bits; a profile folder is the owner's by default.
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(path);
        if ((mode & OthersAndGroup) == 0) return;
        throw new ConsoleFailure(ExitCodes.BadInput,
            $"{what} {path} holds a secret but its group or others may use it (mode {Octal(mode)}): make it owner-only, e.g. chmod 600 {path}");
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
}
