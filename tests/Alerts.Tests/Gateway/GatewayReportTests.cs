using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>One embedded silo process and one gateway connection shared by the report tests (each test uses its own user ids).</summary>
public sealed class GatewayReportFixture : IAsyncLifetime
{
    private SiloProcess? _process;

    public GatewayConnection Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var silo = GatewaySilo.Fresh();
        _process = await silo.StartAsync();
        Gateway = await GatewayConnection.ConnectAsync(silo.Gateway(), (_, _) => Task.CompletedTask);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        if (_process is not null) await _process.DisposeAsync();
    }
}

/// <summary>Reports through a gateway connection against a real silo: split into calls the grain takes, rejections at the caller's index.</summary>
public sealed class GatewayReportTests(GatewayReportFixture fixture) : IClassFixture<GatewayReportFixture>
{
    private static readonly DateTimeOffset FixTime = DateTimeOffset.UtcNow.AddMinutes(-1);

    private static List<LocationUpdate> Updates(long firstUserId, int count) =>
        Enumerable.Range(0, count).Select(i => new LocationUpdate(firstUserId + i, 22.5 + i % 100 * 0.001, 114.0 + i / 100 * 0.001, FixTime)).ToList();

    [Fact]
    public async Task A_report_of_25000_updates_is_split_and_fully_applied()
    {
        var updates = Updates(1_000_001, 25_000);

        var result = await fixture.Gateway.ReportAsync(updates);
        Assert.Equal((25_000, 0, 0), (result.Applied, result.Ignored, result.Rejected));
        Assert.Empty(result.Rejections);

        // Every part was stored: the same users a minute earlier are all older than what is held.
        var older = await fixture.Gateway.ReportAsync(updates.Select(u => u with { FixTime = u.FixTime.AddMinutes(-1) }).ToList());
        Assert.Equal((0, 25_000, 0), (older.Applied, older.Ignored, older.Rejected));
    }

    [Fact]
    public async Task A_silo_that_takes_smaller_reports_gets_them_in_parts_of_the_size_the_gateway_is_given()
    {
        var silo = GatewaySilo.Fresh();
        silo.Settings["Alerts:MaxUpdatesPerReport"] = "100";
        await using var process = await silo.StartAsync();
        var updates = Updates(5_000_001, 250);

        // With the default part size every long report fails on its first part, naming the silo's limit.
        await using (var unaware = await GatewayConnection.ConnectAsync(silo.Gateway("gw-default"), (_, _) => Task.CompletedTask))
        {
            var refused = await Assert.ThrowsAsync<ArgumentException>(() => unaware.ReportAsync(updates));
            Assert.Contains("at most 100 per call", refused.Message);
        }

        var options = silo.Gateway("gw-100");
        options.UpdatesPerCall = 100;
        await using var gateway = await GatewayConnection.ConnectAsync(options, (_, _) => Task.CompletedTask);
        var result = await gateway.ReportAsync(updates);
        Assert.Equal((250, 0, 0), (result.Applied, result.Ignored, result.Rejected));
    }

    [Fact]
    public async Task Rejections_carry_their_index_in_the_callers_list_across_parts()
    {
        var updates = Updates(2_000_001, 21_000);
        updates[3] = updates[3] with { Latitude = 91 };
        updates[10_004] = updates[10_004] with { UserId = 0 };
        updates[20_999] = updates[20_999] with { Longitude = double.NaN };

        var result = await fixture.Gateway.ReportAsync(updates);

        Assert.Equal((20_997, 3), (result.Applied, result.Rejected));
        Assert.Equal(
            [(3, 2_000_004L, "latitude"), (10_004, 0L, "userId"), (20_999, 2_021_000L, "longitude")],
            result.Rejections.Select(r => (r.Index, r.UserId, r.Field)).ToList());
        Assert.All(result.Rejections, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
    }

    [Fact]
    public async Task Several_reports_may_be_in_flight_at_once()
    {
        var reports = Enumerable.Range(0, 4).Select(i => fixture.Gateway.ReportAsync(Updates(3_000_001 + i * 100_000L, 12_000))).ToList();

        var results = await Task.WhenAll(reports);

        Assert.All(results, r => Assert.Equal((12_000, 0), (r.Applied, r.Rejected)));
    }

    [Fact]
    public async Task An_empty_report_applies_nothing()
    {
        var result = await fixture.Gateway.ReportAsync([]);
        Assert.Equal((0, 0, 0), (result.Applied, result.Ignored, result.Rejected));
    }

    [Fact]
    public async Task Opt_out_and_erase_reach_the_residency_grain()
    {
        await fixture.Gateway.ReportAsync(Updates(4_000_001, 2));
        await fixture.Gateway.SetOptOutAsync(4_000_001, true);
        await fixture.Gateway.SetOptOutAsync(4_000_001, false);
        await fixture.Gateway.EraseAsync(4_000_002);

        // The erased user is forgotten: an older fix is news again, while the other's is ignored.
        var again = await fixture.Gateway.ReportAsync(Updates(4_000_001, 2).Select(u => u with { FixTime = u.FixTime.AddMinutes(-1) }).ToList());
        Assert.Equal((1, 1), (again.Applied, again.Ignored));

        // A refused user id comes back as the grain's ArgumentException.
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Gateway.EraseAsync(0));
    }
}
