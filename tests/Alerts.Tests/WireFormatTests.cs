using Alerts.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Alerts.Tests;

/// <summary>
/// The many-per-message wire records are not reference-tracked (a report would otherwise build a dictionary of its
/// 10,000 updates on both sides): a list that holds one instance twice, or a null, must still arrive as it was sent.
/// </summary>
public sealed class WireFormatTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(LocationUpdate).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    [Fact]
    public void A_report_with_a_repeated_update_and_a_null_arrives_as_sent()
    {
        var update = new LocationUpdate(7, 22.5, 114.1, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        List<LocationUpdate> sent = [update, null!, update, new LocationUpdate(8, -33.9, 151.2, update.FixTime)];

        var received = RoundTrip(sent);

        Assert.Equal(sent, received);
        Assert.Null(received[1]);
    }

    [Fact]
    public void Write_tickets_and_engagement_events_arrive_as_sent()
    {
        var ticket = new WriteTicket(Guid.NewGuid(), 12_345);
        var shard = new ShardResult(3, 1, [ticket, ticket, new WriteTicket(Guid.NewGuid(), 9)]);
        var received = RoundTrip(shard);
        Assert.Equal((3, 1), (received.Applied, received.Ignored));
        Assert.Equal(shard.Writes, received.Writes);

        var time = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var opened = EngagementEvent.Opened("case-1", 42, time);
        // The sighting inside is still tracked: the same details in two events must come back in both.
        var seen = new SightingDetails(22.5, 114.1, "red coat, with a man");
        List<EngagementEvent> events = [opened, opened, null!, EngagementEvent.Sighted("case-1", 43, time, seen), EngagementEvent.Sighted("case-1", 44, time, seen)];
        var back = RoundTrip(events);
        Assert.Equal(events, back);
        Assert.Equal(seen, back[4].Sighting);
    }

    private static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;
}
