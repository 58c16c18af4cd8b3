using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alerts.Tests;

/// <summary>
/// A gateway credential subscribes, renews, leaves and acknowledges at the push hub only under names it owns (its own
/// name, or that name, '/' and an instance): real clients of two gateway credentials against a real silo.
/// </summary>
public sealed class GatewayNameTests
{
    private static readonly Dictionary<string, string?> TwoGateways = new()
    {
        ["Alerts:Security:Clients:10:Name"] = "gw-a",
        ["Alerts:Security:Clients:10:SecretHash"] = ProcessSettings.TesterHash,
        ["Alerts:Security:Clients:10:Roles:0"] = Roles.Gateway,
        ["Alerts:Security:Clients:11:Name"] = "gw-b",
        ["Alerts:Security:Clients:11:SecretHash"] = ProcessSettings.TesterHash,
        ["Alerts:Security:Clients:11:Roles:0"] = Roles.Gateway,
    };

    [Theory]
    [InlineData("gw-a", "gw-a", true)]
    [InlineData("gw-a/replica-1", "gw-a", true)]
    [InlineData("gw-a/", "gw-a", false)]
    [InlineData("gw-ab", "gw-a", false)]
    [InlineData("gw-a-2", "gw-a", false)]
    [InlineData("gw", "gw-a", false)]
    [InlineData("gw-b/gw-a", "gw-a", false)]
    [InlineData("GW-A", "gw-a", false)]
    [InlineData(null, "gw-a", false)]
    public void A_name_is_owned_by_its_credential_and_by_no_other(string? gatewayName, string credential, bool owned) =>
        Assert.Equal(owned, GatewayNames.IsOwnedBy(gatewayName, credential));

    [Fact]
    public async Task Another_credential_cannot_subscribe_renew_or_leave_under_a_gateways_name()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: TwoGateways);
        await using var a = await ProcessSettings.ConnectAsync(silo.Cluster.ClusterId, silo.Cluster.GatewayPort, $"gw-a:{ProcessSettings.Secret}");
        await using var b = await ProcessSettings.ConnectAsync(silo.Cluster.ClusterId, silo.Cluster.GatewayPort, $"gw-b:{ProcessSettings.Secret}");
        var aReference = a.Cluster.CreateObjectReference<IPushGateway>(new RecordingGateway(a.Cluster));
        var bReference = b.Cluster.CreateObjectReference<IPushGateway>(new RecordingGateway(b.Cluster));
        await a.GetGrain<IPushHubGrain>(0).Subscribe("gw-a", aReference, maxInFlight: 2);

        // gw-b under gw-a's name: it would take the name over, and with it gw-a's unacknowledged batches.
        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => b.GetGrain<IPushHubGrain>(0).Subscribe("gw-a", bReference, maxInFlight: 2));
        Assert.Contains("gatewayName \"gw-a\" is not credential gw-b's", refused.Message);
        Assert.Contains("\"gw-b/<instance>\"", refused.Message);
        await Assert.ThrowsAsync<AccessDeniedException>(() => b.GetGrain<IPushHubGrain>(0).Subscribe("gw-a", bReference));
        await Assert.ThrowsAsync<AccessDeniedException>(() => b.GetGrain<IPushHubGrain>(0).Subscribe("gw-a/replica", bReference, maxInFlight: 2));
        await Assert.ThrowsAsync<AccessDeniedException>(() => b.GetGrain<IPushHubGrain>(0).Unsubscribe("gw-a", aReference));

        // gw-a still holds its name (renewing is not refused as replaced), and gw-b has names of its own.
        Assert.True(await a.GetGrain<IPushHubGrain>(0).Subscribe("gw-a", aReference, maxInFlight: 2) > TimeSpan.Zero);
        Assert.True(await b.GetGrain<IPushHubGrain>(0).Subscribe("gw-b/replica-1", bReference, maxInFlight: 2) > TimeSpan.Zero);
        Assert.Equal(2, (await silo.Grains.GetGrain<IPushHubGrain>(0).GetStats()).Gateways);
    }

    [Fact]
    public async Task Another_credential_cannot_acknowledge_a_gateways_batches()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: TwoGateways);
        await using var a = await ProcessSettings.ConnectAsync(silo.Cluster.ClusterId, silo.Cluster.GatewayPort, $"gw-a:{ProcessSettings.Secret}");
        await using var b = await ProcessSettings.ConnectAsync(silo.Cluster.ClusterId, silo.Cluster.GatewayPort, $"gw-b:{ProcessSettings.Secret}");
        var (_, held) = await HandTwoBatchesToGatewayAAsync(silo, a, "ack-names");

        // gw-b acknowledges gw-a's batches: the hub would drop them as delivered, and their users never be alerted.
        await b.GetGrain<IPushHubGrain>(0).Acknowledge(held);
        var stats = await silo.Grains.GetGrain<IPushHubGrain>(0).GetStats();
        Assert.Equal((0L, 2), (stats.Acknowledged, stats.InFlight));

        // gw-a's own credential acknowledges them, under any of its names.
        await a.GetGrain<IPushHubGrain>(0).Acknowledge(held);
        Assert.Equal(2L, (await silo.Grains.GetGrain<IPushHubGrain>(0).GetStats()).Acknowledged);
    }

    [Fact]
    public async Task A_credential_acknowledging_another_gateways_batches_again_and_again_is_one_warning_a_minute_with_the_count()
    {
        const string Foreign = "not handed to a gateway of its own";
        var log = new CapturedLog();
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: TwoGateways, services: services => services.AddSingleton<ILoggerProvider>(log));
        await using var a = await ProcessSettings.ConnectAsync(silo.Cluster.ClusterId, silo.Cluster.GatewayPort, $"gw-a:{ProcessSettings.Secret}");
        await using var b = await ProcessSettings.ConnectAsync(silo.Cluster.ClusterId, silo.Cluster.GatewayPort, $"gw-b:{ProcessSettings.Secret}");
        var (holding, held) = await HandTwoBatchesToGatewayAAsync(silo, a, "ack-flood");

        // A misbehaving gw-b acknowledges gw-a's batches a hundred times: one warning, not a hundred (until 2026-12-02
        // each call logged one, and such a gateway flooded the silo's log).
        for (var i = 0; i < 100; i++) await b.GetGrain<IPushHubGrain>(0).Acknowledge(held);
        var first = Assert.Single(log.Warnings(Foreign));
        Assert.Contains("Credential gw-b acknowledged 2 batches", first);

        // A minute on (the grains' clock), the next one is logged again, with the 99 held back and their batches.
        silo.Time.Advance(ForeignAcknowledgements.Window);
        await b.GetGrain<IPushHubGrain>(0).Acknowledge(held);
        var warnings = log.Warnings(Foreign);
        Assert.True(warnings.Count == 2, string.Join("\n", warnings));
        Assert.Contains("99 more such acknowledgements of 198 batches since", warnings[1]);
        Assert.Equal(0L, (await silo.Grains.GetGrain<IPushHubGrain>(0).GetStats()).Acknowledged);
        GC.KeepAlive(holding);
    }

    // A case whose batches go to gw-a, which holds the first two without acknowledging them yet (its phones are slow).
    private static async Task<(RecordingGateway Holding, List<long> Held)> HandTwoBatchesToGatewayAAsync(AlertsSilo silo, AlertsClient a, string caseId)
    {
        var (lat, lon, radius) = (22.5431, 114.0579, 5_000.0);
        await Population.ReportAsync(silo.Grains.GetGrain<IResidencyGrain>(0), Population.Around(1, lat, lon, radius, scatter: 200, AlertsSilo.Epoch));
        var holding = new RecordingGateway(a.Cluster, _ => false);
        await a.GetGrain<IPushHubGrain>(0).Subscribe("gw-a/replica-1", a.Cluster.CreateObjectReference<IPushGateway>(holding), maxInFlight: 2);
        await Admins.FileAndApproveAsync(silo.Grains, caseId, Admins.Case(lat, lon, radius));
        await holding.WaitForDeliveries(2);
        return (holding, holding.Batches.Select(batch => batch.BatchId).ToList());
    }
}
