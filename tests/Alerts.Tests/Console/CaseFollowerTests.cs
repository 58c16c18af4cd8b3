using System.Text.Json;
using Alerts.Cli;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>
/// <c>case watch</c>'s follower while the cluster stops answering: it reports the last figures with a note and goes on,
/// and the JSON line of such a report says it is stale.
/// </summary>
public sealed class CaseFollowerTests
{
    private static CaseView View(CaseStatus status, int cellsDone, long recipients) =>
        new("sz-7", status, 120, cellsDone, 10, recipients, recipients, recipients, 0, 0);

    [Fact]
    public async Task A_read_that_fails_repeats_the_last_figures_with_a_note_and_the_next_answer_is_reported_even_unchanged()
    {
        var first = View(CaseStatus.Dispatching, 2, 100);
        var progressed = View(CaseStatus.Dispatching, 6, 400);
        var settled = View(CaseStatus.Active, 10, 900);
        // The cluster answers again with the figures unchanged: that answer is reported (the last line must not stay stale).
        var reads = new Queue<Func<CaseView>>([() => progressed, () => throw new TimeoutException("silo restarting"), () => progressed, () => settled]);
        var follower = new CaseFollower(_ => Task.FromResult(reads.Dequeue()()), TimeSpan.FromMilliseconds(10), v => v.Settled);
        var reports = new List<(CaseView View, string? Note)>();

        var last = await follower.RunAsync(first, (view, note) => reports.Add((view, note)), CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(settled, last);
        Assert.Equal(
            [(first, null), (progressed, null), (progressed, "no answer from the cluster (TimeoutException); retrying"), (progressed, null), (settled, null)],
            reports);
        var stale = JsonSerializer.SerializeToElement(CaseView.Watched(reports[2].View, reports[2].Note), ConsoleOutput.CompactJson);
        Assert.Equal("no answer from the cluster (TimeoutException); retrying", stale.GetProperty("noAnswer").GetString());
        Assert.Equal(400, stale.GetProperty("recipients").GetInt64());
        var fresh = JsonSerializer.SerializeToElement(CaseView.Watched(reports[3].View, reports[3].Note), ConsoleOutput.CompactJson);
        Assert.False(fresh.TryGetProperty("noAnswer", out _));
    }
}
