using Alerts.Cli;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>What a command writes with --out: refused at once if it cannot be written, and never left half written.</summary>
public sealed class ConsoleOutputFileTests
{
    [Fact]
    public async Task A_file_takes_its_name_only_when_complete_and_an_unfinished_one_leaves_the_old_file_alone()
    {
        var folder = ScratchFolder.NewFolder();
        var path = Path.Combine(folder, "audit.jsonl");
        File.WriteAllText(path, "the last export\n");

        await using (var unfinished = OutputFile.Open(path))
            await unfinished.Stream.WriteAsync("{\"half\":"u8.ToArray());
        Assert.Equal("the last export\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder));

        await using (var finished = OutputFile.Open(path))
        {
            await finished.Stream.WriteAsync("{\"whole\":1}\n"u8.ToArray());
            await finished.CommitAsync();
        }

        Assert.Equal("{\"whole\":1}\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes; the product runs on Linux
    public async Task A_replaced_file_keeps_its_permissions_and_a_link_is_written_through_not_replaced()
    {
        var folder = ScratchFolder.NewFolder();
        var path = Path.Combine(folder, "audit.jsonl");
        File.WriteAllText(path, "old\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using (var file = OutputFile.Open(path))
        {
            await file.Stream.WriteAsync("new\n"u8.ToArray());
            await file.CommitAsync();
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        var link = Path.Combine(folder, "latest.jsonl");
        File.CreateSymbolicLink(link, path);
        await using (var file = OutputFile.Open(link))
        {
            await file.Stream.WriteAsync("through the link\n"u8.ToArray());
            await file.CommitAsync();
        }

        Assert.Equal(path, new FileInfo(link).LinkTarget);
        Assert.Equal("through the link\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task A_link_to_a_longer_file_leaves_exactly_the_new_content_and_an_unfinished_write_leaves_it_alone()
    {
        var folder = ScratchFolder.NewFolder();
        var targets = Directory.CreateDirectory(Path.Combine(folder, "exports")).FullName;
        var path = Path.Combine(targets, "audit.jsonl");
        File.WriteAllText(path, "a much longer export from the last run\n");
        var link = Path.Combine(folder, "latest.jsonl");
        File.CreateSymbolicLink(link, path);

        await using (var unfinished = OutputFile.Open(link))
            await unfinished.Stream.WriteAsync("{\"half\":"u8.ToArray());
        Assert.Equal("a much longer export from the last run\n", File.ReadAllText(path));

        await using (var file = OutputFile.Open(link))
        {
            await file.Stream.WriteAsync("short\n"u8.ToArray());
            await file.CommitAsync();
        }

        // Written in place, the link's file read "short\n" followed by the rest of the old export.
        Assert.Equal("short\n", File.ReadAllText(path));
        Assert.Equal(path, new FileInfo(link).LinkTarget);
        Assert.Equal([path], Directory.GetFiles(targets));
        Assert.Equal([link], Directory.GetFiles(folder));

        // A new file, and a link whose file is not there yet, are made.
        foreach (var (name, made) in new[] { ("new.jsonl", "new.jsonl"), ("dangling.jsonl", Path.Combine("exports", "later.jsonl")) })
        {
            if (name == "dangling.jsonl") File.CreateSymbolicLink(Path.Combine(folder, name), Path.Combine(targets, "later.jsonl"));
            await using var file = OutputFile.Open(Path.Combine(folder, name));
            await file.Stream.WriteAsync("made\n"u8.ToArray());
            await file.CommitAsync();
            Assert.Equal("made\n", File.ReadAllText(Path.Combine(folder, made)));
        }
    }

    [Fact]
    public void A_path_that_cannot_be_written_is_bad_input_naming_the_option()
    {
        var folder = ScratchFolder.NewFolder();
        var missing = Path.Combine(folder, "no-such-folder", "audit.jsonl");
        var refused = Assert.Throws<ConsoleFailure>(() => OutputFile.Open(missing));
        Assert.Equal(ExitCodes.BadInput, refused.ExitCode);
        Assert.StartsWith($"--out {missing} cannot be written: ", refused.Message);

        var directory = Assert.Throws<ConsoleFailure>(() => OutputFile.Open(folder));
        Assert.Equal($"--out {folder} cannot be written: it is a directory", directory.Message);
    }

    [Theory]
    [InlineData("audit export --out {0}/no-such-folder/audit.jsonl", "--out ")]
    [InlineData("case export sz-1 --out {0}/no-such-folder/sz-1.xml", "--out ")]
    [InlineData("case watch sz-1 --timeout 5000000", "--timeout 5000000 is invalid: must be more than 0 and at most 4294967 seconds")]
    [InlineData("simulate --move-every 0.0005", "--move-every must be within [0.001, 4294967] seconds")]
    [InlineData("simulate --duration 1e15", "--duration must be more than 0 and at most 4294967 seconds")]
    [InlineData("case widen sz-1 --radius-km 2,50", "--radius-km \"2,50\" is not a number (use a dot for decimals)")]
    [InlineData("--membership garbage case list", "--membership is not a PostgreSQL connection string")]
    [InlineData("case show ", "case-id \"\" is invalid: use 1 to 64 letters, digits, '-' or '_'")]
    [InlineData("audit export --out {0}/audit.jsonl --case ", "--case \"\" is invalid")]
    [InlineData("--membership Host=db;Nonsense=1 case list", "--membership is not a PostgreSQL connection string")]
    public async Task Bad_values_are_refused_before_connecting_with_one_line_naming_the_option(string command, string message)
    {
        // No silo anywhere: each is refused before the console would connect.
        var folder = ScratchFolder.NewFolder();
        var args = string.Format(System.Globalization.CultureInfo.InvariantCulture, command, folder).Split(' ');
        var run = await ConsoleProcess.RunAsync(folder, new Dictionary<string, string> { ["ALERTS_CREDENTIAL"] = "nobody:nothing" }, args);

        Assert.True(run.ExitCode == ExitCodes.BadInput, run.ToString());
        Assert.Contains(message, run.StandardError);
        Assert.Single(run.StandardError.Trim().Split('\n'));
        Assert.Empty(Directory.GetFiles(folder, "*", SearchOption.AllDirectories));
    }
}
