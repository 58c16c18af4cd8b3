using Alerts.Cli;

namespace Alerts.Tests;

/// <summary>What the console makes of a command line as it parses it, before it runs anything: the real command tree, in process.</summary>
public sealed class ConsoleParseTests
{
    [Theory]
    [InlineData("case widen c1 --radius-km 2,50", "--radius-km \"2,50\"")]
    [InlineData("case open c1 --lat 22.5 --lon 114 --radius-km 1,5", "--radius-km \"1,5\"")]
    [InlineData("case open c1 --lat 22,5 --lon 114", "--lat \"22,5\"")]
    [InlineData("case extend c1 --hours 1,5", "--hours \"1,5\"")]
    [InlineData("simulate --region-km 1,000", "--region-km \"1,000\"")]
    [InlineData("simulate --duration 1,5", "--duration \"1,5\"")]
    [InlineData("simulate --open-rate abc", "--open-rate \"abc\"")]
    public void A_decimal_with_a_comma_or_no_number_at_all_is_refused_naming_the_option_and_the_token(string command, string named)
    {
        var parse = AlertsConsole.Build().Parse(command.Split(' '));

        // Once, not read as a thousands separator (2,50 was 250 km).
        Assert.Contains($"{named} is not a number (use a dot for decimals)", parse.Errors.Select(e => e.Message));
    }

    [Theory]
    [InlineData("case widen c1 --radius-km 2.5", "--radius-km", 2.5)]
    [InlineData("case widen c1 --radius-km 1e2", "--radius-km", 100)]
    [InlineData("case extend c1 --hours 1.5", "--hours", 1.5)]
    [InlineData("case open c1 --lat -22.5", "--lat", -22.5)]
    [InlineData("simulate", "--region-km", 100)]
    public void A_decimal_with_a_dot_is_read_and_an_absent_one_keeps_its_default(string command, string option, double expected)
    {
        var parse = AlertsConsole.Build().Parse(command.Split(' '));

        Assert.DoesNotContain(parse.Errors, e => e.Message.Contains(option, StringComparison.Ordinal));
        Assert.Equal(expected, parse.GetValue<double>(option));
    }

    [Theory]
    [InlineData("case show")]
    [InlineData("case approve")]
    [InlineData("case watch")]
    [InlineData("case export")]
    [InlineData("case sightings")]
    [InlineData("case open", "--lat", "22.5", "--lon", "114")]
    public void An_empty_case_id_is_refused_naming_the_argument_and_the_rule(string command, params string[] rest)
    {
        foreach (var id in new[] { "", " ", "a b", new string('x', 65) })
        {
            var parse = AlertsConsole.Build().Parse([.. command.Split(' '), id, .. rest]);

            Assert.Contains($"case-id \"{id}\" is invalid: use 1 to 64 letters, digits, '-' or '_'", parse.Errors.Select(e => e.Message));
        }

        Assert.DoesNotContain(AlertsConsole.Build().Parse([.. command.Split(' '), "sz-2026_01", .. rest]).Errors, e => e.Message.Contains("case-id", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("audit", "list", "--case", "")]
    [InlineData("audit", "list", "--case", " ")]
    [InlineData("audit", "export", "--out", "audit.jsonl", "--case", "")]
    public void An_empty_audit_subject_is_refused_not_read_as_the_whole_log(params string[] args)
    {
        var parse = AlertsConsole.Build().Parse(args);

        Assert.Contains($"--case \"{args[^1]}\" is invalid: give a case id, or user:N for a user", parse.Errors.Select(e => e.Message));
        Assert.Empty(AlertsConsole.Build().Parse([.. args[..^1], "sz-1"]).Errors);
    }
}
