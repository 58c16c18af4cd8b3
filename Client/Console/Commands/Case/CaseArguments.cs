using System.CommandLine;

namespace Alerts.Cli;

/// <summary>Arguments and options several case commands share.</summary>
public static class CaseArguments
{
    /// <summary>The case id argument.</summary>
    public static Argument<string> Id() => new("case-id") { Description = "The case's id: 1-64 letters, digits, '-' or '_'" };
}
