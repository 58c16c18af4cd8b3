using System.CommandLine;

namespace Alerts.Cli;

/// <summary>The user id argument the user commands share, and its check.</summary>
public static class UserArguments
{
    /// <summary>The user id argument.</summary>
    public static Argument<long> Id() => new("user-id") { Description = "The user's id (positive)" };

    /// <summary>The id, or a bad-input failure when it is not positive.</summary>
    public static long Valid(CommandContext context, Argument<long> argument)
    {
        var userId = context.Get(argument);
        return userId > 0 ? userId : throw new ConsoleFailure(ExitCodes.BadInput, $"user-id {userId} is invalid: must be positive");
    }
}
