using Alerts.Cli;

namespace Alerts.Tests;

/// <summary>What the console's exit codes say about an exception: a case's state, or a fault of the console itself.</summary>
public sealed class ConsoleFailureTests
{
    [Fact]
    public void A_refused_move_is_the_cases_state_and_a_disposed_client_is_a_failure()
    {
        Assert.Equal(ExitCodes.WrongState, ConsoleFailure.From(new InvalidOperationException("case x cannot be approved: it is Draft")).ExitCode);

        var disposed = ConsoleFailure.From(new ObjectDisposedException("AlertsClient"));
        Assert.Equal(ExitCodes.Failed, disposed.ExitCode);
        Assert.StartsWith("ObjectDisposedException: ", disposed.Message);
        Assert.DoesNotContain('\n', disposed.Message);
    }
}
