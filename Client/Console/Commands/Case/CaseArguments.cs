using System.CommandLine;
using Alerts.Client.Cap;

namespace Alerts.Cli;

/// <summary>Arguments and options several case commands share.</summary>
public static class CaseArguments
{
    /// <summary>
    /// The case id argument, checked by the rule the silos apply to case ids: an empty one otherwise reached the client's
    /// own check as "The value cannot be an empty string", naming nothing.
    /// </summary>
    public static Argument<string> Id()
    {
        var id = new Argument<string>("case-id") { Description = "The case's id: 1-64 letters, digits, '-' or '_'" };
        id.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && !CapIdentifiers.IsCaseId(token.Value))
                result.AddError(InvalidId(token.Value));
        });
        return id;
    }

    /// <summary>The refusal of a case id that breaks the silos' rule, in the silos' words.</summary>
    public static string InvalidId(string id) => $"case-id \"{id}\" is invalid: use 1 to 64 letters, digits, '-' or '_'";
}
