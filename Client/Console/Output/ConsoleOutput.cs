using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Alerts.Cli;

/// <summary>Where a command writes: tables and lines for people, or one JSON document for scripts (<c>--json</c>).</summary>
public sealed class ConsoleOutput(bool json, IAnsiConsole console)
{
    /// <summary>How the console writes JSON (also one document per line in exports).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>True with <c>--json</c>.</summary>
    public bool IsJson { get; } = json;

    /// <summary>The terminal (Spectre.Console), for live views.</summary>
    public IAnsiConsole Terminal { get; } = console;

    /// <summary>Writes <paramref name="value"/> as JSON with <c>--json</c>, else renders what <paramref name="human"/> makes.</summary>
    public void Write(object value, Func<IRenderable> human)
    {
        if (IsJson) WriteJson(value);
        else Terminal.Write(human());
    }

    /// <summary>Writes <paramref name="value"/> as JSON with <c>--json</c>, else one plain line.</summary>
    public void Write(object value, string line)
    {
        // Plain lines bypass Spectre, which would wrap them at 80 columns when no terminal tells it the width.
        if (IsJson) WriteJson(value);
        else System.Console.Out.WriteLine(line);
    }

    /// <summary>One JSON document (or one JSON line with <paramref name="indented"/> false) on standard output.</summary>
    public static void WriteJson(object value, bool indented = true)
    {
        var options = indented ? JsonOptions : CompactJson;
        System.Console.Out.WriteLine(JsonSerializer.Serialize(value, value.GetType(), options));
        System.Console.Out.Flush();
    }

    /// <summary>The same, one line per document.</summary>
    public static readonly JsonSerializerOptions CompactJson = new(JsonOptions) { WriteIndented = false };

    /// <summary>A two-column table of names and values.</summary>
    public static Table Facts(params (string Name, object? Value)[] facts)
    {
        var table = new Table().HideHeaders().Border(TableBorder.Rounded).AddColumn("").AddColumn("");
        foreach (var (name, value) in facts) table.AddRow(new Text(name), new Text(value?.ToString() ?? "-"));
        return table;
    }
}
