using System.Text;

namespace Alerts.Tests;

/// <summary>The README's quick start, read from between its <c>&lt;!-- quickstart --&gt;</c> markers: its shell blocks, as lines of words.</summary>
public sealed class QuickStartScript
{
    private QuickStartScript(List<List<string[]>> blocks) => Blocks = blocks;

    /// <summary>Each terminal's block: its commands, each split into words as a shell would.</summary>
    public List<List<string[]>> Blocks { get; }

    /// <summary>Reads the README at the repository's root above the test's folder.</summary>
    public static QuickStartScript Load()
    {
        var readme = RepositoryFile("README.md");
        var text = File.ReadAllText(readme);
        var start = text.IndexOf("<!-- quickstart", StringComparison.Ordinal);
        var end = text.IndexOf("<!-- /quickstart -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no quickstart markers");
        var blocks = new List<List<string[]>>();
        List<string[]>? block = null;
        foreach (var line in text[start..end].Split('\n'))
        {
            if (line.StartsWith("```sh", StringComparison.Ordinal)) block = [];
            else if (line.StartsWith("```", StringComparison.Ordinal) && block is not null)
            {
                blocks.Add(block);
                block = null;
            }
            else if (block is not null && line.Trim() is { Length: > 0 } command && !command.StartsWith('#')) block.Add(Words(command));
        }

        return new QuickStartScript(blocks);
    }

    /// <summary>A file at the repository's root (found by walking up to <c>Alerts.sln</c>).</summary>
    public static string RepositoryFile(string name)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Alerts.sln"))) return Path.Combine(folder.FullName, name);
        }

        throw new FileNotFoundException("no Alerts.sln above the test folder");
    }

    /// <summary>Splits a command line into words: spaces separate, double or single quotes group.</summary>
    public static string[] Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q) quote = null;
                else word.Append(c);
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord) words.Add(word.ToString());
        return [.. words];
    }
}
