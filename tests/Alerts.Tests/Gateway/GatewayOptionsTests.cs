using Alerts.Client;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>Options a gateway connection refuses before connecting, and a cluster that is not there.</summary>
public sealed class GatewayOptionsTests
{
    private static Task NoDelivery(Alerts.GrainInterfaces.PushBatch batch, CancellationToken cancellationToken) => Task.CompletedTask;

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task An_empty_name_is_refused_naming_the_field(string name)
    {
        var options = new GatewayConnectionOptions { Name = name, Cluster = { Credential = ProcessSettings.Credential } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
        Assert.Contains("GatewayConnectionOptions.Name", e.Message);
    }

    [Theory]
    [InlineData("gw-1")]
    [InlineData("testers")]
    [InlineData("tester/")]
    public async Task A_name_the_credential_does_not_own_is_refused_naming_the_field(string name)
    {
        // The hub would refuse it (one gateway credential must not take another's batches): said before connecting.
        var options = new GatewayConnectionOptions { Name = name, Cluster = { Credential = ProcessSettings.Credential } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
        Assert.StartsWith($"GatewayConnectionOptions.Name \"{name}\" is not credential tester's", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-colon")]
    [InlineData(":hunter2")]
    [InlineData("gw-7:")]
    public async Task A_malformed_credential_is_refused_naming_the_field_without_repeating_it(string credential)
    {
        var options = new GatewayConnectionOptions { Cluster = { Credential = credential } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
        Assert.Contains("GatewayConnectionOptions.Cluster.Credential", e.Message);
        if (credential.Length > 0) Assert.DoesNotContain(credential, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task An_empty_membership_connection_string_is_refused_naming_the_field(string membership)
    {
        // An environment variable set but left empty: nothing to look the silos up in, and the gateways are ignored.
        var options = new GatewayConnectionOptions { Cluster = { Credential = ProcessSettings.Credential, MembershipConnectionString = membership, ConnectAttempts = 1 } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
        Assert.Contains("GatewayConnectionOptions.Cluster.MembershipConnectionString", e.Message);
    }

    [Theory]
    [InlineData("alerts-silo.default.svc:30000")]
    [InlineData("10.0.0.5")]
    [InlineData("10.0.0.5:0")]
    public async Task A_gateway_that_is_not_an_address_and_port_is_refused_naming_the_field(string gateway)
    {
        var options = new GatewayConnectionOptions { Cluster = { Credential = ProcessSettings.Credential, Gateways = [gateway] } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
        Assert.StartsWith($"GatewayConnectionOptions.Cluster.Gateways has \"{gateway}\": each must be an IP address and port", e.Message);
    }

    [Theory]
    [InlineData("", "alerts")]
    [InlineData("alerts", " ")]
    public async Task An_empty_cluster_or_service_id_is_refused_naming_the_fields(string clusterId, string serviceId)
    {
        var options = new GatewayConnectionOptions { Cluster = { Credential = ProcessSettings.Credential, ClusterId = clusterId, ServiceId = serviceId } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
        Assert.StartsWith("GatewayConnectionOptions.Cluster.ClusterId and ServiceId must not be empty", e.Message);
    }

    [Theory]
    [InlineData(0, 10_000)]
    [InlineData(10_000, 0)]
    public async Task A_part_size_below_one_is_refused_naming_the_fields(int updatesPerCall, int eventsPerCall)
    {
        var options = new GatewayConnectionOptions { UpdatesPerCall = updatesPerCall, EngagementEventsPerCall = eventsPerCall, Cluster = { Credential = ProcessSettings.Credential } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
        Assert.StartsWith($"GatewayConnectionOptions.UpdatesPerCall ({updatesPerCall}) and EngagementEventsPerCall ({eventsPerCall}) must be at least 1", e.Message);
    }

    [Fact]
    public async Task A_remembered_id_count_below_one_is_refused_naming_the_field()
    {
        var options = new GatewayConnectionOptions { RememberedBatchIds = 0, Cluster = { Credential = ProcessSettings.Credential } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
        Assert.Contains("GatewayConnectionOptions.RememberedBatchIds", e.Message);
    }

    public static TheoryData<TimeSpan, string> OutOfRangeDrainTimeouts => new()
    {
        { TimeSpan.FromSeconds(-1), "-00:00:01" },
        { TimeSpan.FromDays(50), "50.00:00:00" },
        { TimeSpan.MaxValue, "10675199.02:48:05.4775807" },
    };

    [Theory]
    [MemberData(nameof(OutOfRangeDrainTimeouts))]
    public async Task A_drain_timeout_out_of_range_is_refused_naming_the_field(TimeSpan timeout, string shown)
    {
        var options = new GatewayConnectionOptions { DeliveryDrainTimeout = timeout, Cluster = { Credential = ProcessSettings.Credential } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
        Assert.StartsWith($"GatewayConnectionOptions.DeliveryDrainTimeout is {shown}: it must be from 0 to 49 days, or Timeout.InfiniteTimeSpan to wait for every delivery", e.Message);
    }

    public static TheoryData<TimeSpan> DrainTimeoutsTaken => [TimeSpan.Zero, Timeout.InfiniteTimeSpan, TimeSpan.FromDays(49)];

    [Theory]
    [MemberData(nameof(DrainTimeoutsTaken))]
    public async Task A_drain_timeout_in_range_is_taken(TimeSpan timeout)
    {
        // Past validation, it fails only on the cluster that is not there.
        var options = new GatewayConnectionOptions
        {
            DeliveryDrainTimeout = timeout,
            Cluster = { Gateways = [$"127.0.0.1:{FreePorts.Next()}"], Credential = ProcessSettings.Credential, ConnectAttempts = 1, ClusterId = "nobody-here" },
        };
        await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task No_try_at_connecting_is_refused_naming_ConnectAttempts(int attempts)
    {
        var options = new GatewayConnectionOptions { Cluster = { Credential = ProcessSettings.Credential, ConnectAttempts = attempts } };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
        Assert.StartsWith($"ConnectAttempts is {attempts}", e.Message);
    }

    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1_000)]
    [InlineData(6, 16_000)]
    [InlineData(7, 30_000)]
    [InlineData(40, 30_000)]
    [InlineData(int.MaxValue, 30_000)]
    public void Pauses_between_connection_tries_double_up_to_30_seconds(int failed, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), AlertsClient.ConnectRetry.PauseAfter(failed));

    [Fact]
    public async Task A_missing_delivery_callback_is_refused()
    {
        var options = new GatewayConnectionOptions { Cluster = { Credential = ProcessSettings.Credential } };
        await Assert.ThrowsAsync<ArgumentNullException>(() => GatewayConnection.ConnectAsync(options, null!));
    }

    [Fact]
    public async Task A_port_nobody_listens_on_fails_with_a_clear_message()
    {
        var port = FreePorts.Next();
        var options = new GatewayConnectionOptions
        {
            Cluster = { Gateways = [$"127.0.0.1:{port}"], Credential = ProcessSettings.Credential, ConnectAttempts = 1, ClusterId = "nobody-here" },
        };

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayConnection.ConnectAsync(options, NoDelivery));
        Assert.StartsWith($"Could not connect to cluster nobody-here through 127.0.0.1:{port}", e.Message);
    }
}
