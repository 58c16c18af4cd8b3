namespace Alerts.Tests;

/// <summary>The README's gateway example is the compiled one in <see cref="ReadmeExample"/>, line for line.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_is_the_compiled_one()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Alerts.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var readme = File.ReadAllText(Path.Combine(root.FullName, "README.md"));
        var section = readme[readme.IndexOf("## Mobile-gateway library", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var example = section[start..section.IndexOf("```\n", start, StringComparison.Ordinal)];
        var compiled = File.ReadAllText(Path.Combine(root.FullName, "tests/Alerts.Tests/Gateway/ReadmeExample.cs"));

        static string Flat(string text) => string.Join('\n', text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
        Assert.Contains(Flat(example), Flat(compiled));
    }
}
