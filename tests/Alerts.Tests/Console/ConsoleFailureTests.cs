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
    public void A_refusal_that_crossed_the_wire_loses_its_parameter_suffix_as_one_that_did_not()
    {
        // Orleans keeps the message, " (Parameter 'latitude')" included, but not ParamName.
        var remote = ConsoleFailure.From(new ArgumentException("latitude 91 is invalid: must be within [-90, 90] (Parameter 'latitude')"));
        Assert.Equal((ExitCodes.BadInput, "latitude 91 is invalid: must be within [-90, 90]"), (remote.ExitCode, remote.Message));

        var local = ConsoleFailure.From(new ArgumentException("message is empty", "message"));
        Assert.Equal("message is empty", local.Message);
        Assert.Equal("latitude", ConsoleFailure.FieldOf(new ArgumentException("x (Parameter 'latitude')")));
        Assert.Null(ConsoleFailure.FieldOf(new ArgumentException("no field here")));
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
