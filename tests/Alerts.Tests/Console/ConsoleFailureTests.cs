using Alerts.Cli;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>What the console's exit codes say about an exception: a case's state, or a fault of the console itself.</summary>
public sealed class ConsoleFailureTests
{
    [Fact]
    public void A_refused_move_is_the_cases_state_and_a_disposed_client_is_a_failure()
    {
        Assert.Equal(ExitCodes.WrongState, ConsoleFailure.From(new WrongStateException("case x cannot be approved: it is Draft")).ExitCode);

        var disposed = ConsoleFailure.From(new ObjectDisposedException("AlertsClient"));
        Assert.Equal(ExitCodes.Failed, disposed.ExitCode);
        Assert.StartsWith("ObjectDisposedException: ", disposed.Message);
        Assert.DoesNotContain('\n', disposed.Message);
    }

    [Fact]
    public void Only_a_subjects_state_exits_5_not_any_invalid_operation()
    {
        // The client's own InvalidOperationExceptions (an Orleans client used before it connected, say) are failures.
        var other = ConsoleFailure.From(new InvalidOperationException("Client is not initialized.\nConnect first."));
        Assert.Equal(ExitCodes.Failed, other.ExitCode);
        Assert.Equal("InvalidOperationException: Client is not initialized. Connect first.", other.Message);

        var wrapped = ConsoleFailure.From(new AggregateException(new WrongStateException("credential ops already exists")));
        Assert.Equal(ExitCodes.WrongState, wrapped.ExitCode);
        Assert.Equal("credential ops already exists", wrapped.Message);
    }
}
