using Alerts.Cli;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>
/// What the console says after a case move whose follow-up fails: a move that succeeded is reported as done (the admin
/// must not retry it), a filed case whose submit failed is reported as filed.
/// </summary>
public sealed class ConsoleMoveOutcomeTests
{
    private static CaseProgress Progress(CaseStatus status) => new("sz-9", status, 120_000, 10, 10, 5_000);

    [Fact]
    public async Task A_move_whose_delivery_figures_cannot_be_read_is_done_with_the_figures_marked_unknown()
    {
        var (view, warning) = await CaseView.AfterMoveAsync(Progress(CaseStatus.Cancelled), () => throw new TimeoutException("the push hub did not answer"));

        Assert.Equal((CaseStatus.Cancelled, 5_000L, true, 0L, 0L), (view.Status, view.Recipients, view.DeliveryUnknown, view.HandedToGateways, view.Acknowledged));
        Assert.Equal("done, but the delivery figures could not be read: the cluster did not answer in time: the push hub did not answer", warning);
    }

    [Fact]
    public async Task A_move_whose_delivery_figures_are_read_has_no_warning()
    {
        var (view, warning) = await CaseView.AfterMoveAsync(Progress(CaseStatus.Active), () => Task.FromResult(new CaseDelivery("sz-9", 1, 500, 2, 1_000)));

        Assert.Null(warning);
        Assert.Equal((false, 4_500L, 3_500L), (view.DeliveryUnknown, view.HandedToGateways, view.Acknowledged));
    }

    [Fact]
    public async Task A_move_on_an_unknown_case_is_not_found_whatever_the_hub_says()
    {
        var missing = await Assert.ThrowsAsync<KeyNotFoundException>(() => CaseView.AfterMoveAsync(Progress(CaseStatus.None), () => throw new TimeoutException()));
        Assert.Equal("no case named sz-9", missing.Message);
    }

    [Fact]
    public async Task A_submit_that_fails_after_filing_says_the_draft_exists_and_how_to_submit_it()
    {
        var failure = await Assert.ThrowsAsync<ConsoleFailure>(() => OpenCommand.SubmitFiledAsync(() => throw new WrongStateException("case sz-9 cannot be submitted: it is Cancelled"), "sz-9"));

        Assert.Equal(ExitCodes.WrongState, failure.ExitCode);
        Assert.Equal("case sz-9 filed as a draft, but submitting it failed: case sz-9 cannot be submitted: it is Cancelled. Submit it with: alerts case submit sz-9", failure.Message);
    }

    [Fact]
    public async Task A_submit_that_got_no_answer_says_it_may_have_been_made_and_how_to_check()
    {
        var failure = await Assert.ThrowsAsync<ConsoleFailure>(() => OpenCommand.SubmitFiledAsync(() => throw new TimeoutException("Response did not arrive on time"), "sz-9"));

        Assert.Equal(ExitCodes.Unreachable, failure.ExitCode);
        Assert.Equal(
            "case sz-9 filed as a draft, but submitting it got no answer (the cluster did not answer in time: Response did not arrive on time), so it may have been submitted. "
            + "See: alerts case show sz-9; if it is still a draft, submit it with: alerts case submit sz-9",
            failure.Message);
    }

    [Fact]
    public async Task A_change_that_got_no_answer_says_it_may_have_been_made_and_how_to_check()
    {
        var failure = await Assert.ThrowsAsync<ConsoleFailure>(() => ConsoleFailure.UnlessNoAnswerAsync<CaseProgress>(
            () => throw new TimeoutException("Response did not arrive on time"), "case update sz-9", "alerts case show sz-9"));

        Assert.Equal(ExitCodes.Unreachable, failure.ExitCode);
        Assert.Equal("case update sz-9 got no answer (the cluster did not answer in time: Response did not arrive on time), so it may have been made. "
            + "Check with: alerts case show sz-9 before running it again", failure.Message);
    }

    [Fact]
    public async Task A_change_that_met_a_storage_failure_part_way_says_it_may_have_been_made()
    {
        var failure = await Assert.ThrowsAsync<ConsoleFailure>(() => ConsoleFailure.UnlessNoAnswerAsync<CaseProgress>(
            () => throw new StorageUnavailableException("storage failed: the audit log could not be written"), "case update sz-9", "alerts case show sz-9"));

        Assert.Equal(ExitCodes.Failed, failure.ExitCode);
        Assert.Equal("case update sz-9 failed (storage unavailable: storage failed: the audit log could not be written), so it may have been made. "
            + "Check with: alerts case show sz-9 before running it again", failure.Message);
    }

    [Fact]
    public async Task A_change_refused_is_reported_as_the_refusal_it_is()
    {
        var failure = await Assert.ThrowsAsync<ConsoleFailure>(() => ConsoleFailure.UnlessNoAnswerAsync<CaseProgress>(
            () => throw new WrongStateException("case sz-9 cannot be updated: it is Cancelled"), "case update sz-9", "alerts case show sz-9"));

        Assert.Equal((ExitCodes.WrongState, "case sz-9 cannot be updated: it is Cancelled"), (failure.ExitCode, failure.Message));
    }
}
