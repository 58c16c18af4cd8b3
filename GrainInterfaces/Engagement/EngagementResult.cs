namespace Alerts.GrainInterfaces;

/// <summary>What happened to a report of engagement events.</summary>
/// <param name="Counted">Events counted for the first time.</param>
/// <param name="Repeated">Events already counted (an open, delivery or share reported again): stored once.</param>
/// <param name="Refused">Well-formed events that were not allowed, each in <paramref name="Rejections"/> (every time they are sent; the case's figures count each once).</param>
/// <param name="Rejected">Invalid events, each in <paramref name="Rejections"/>.</param>
/// <param name="Rejections">Each refused or invalid event with its index, field and reason.</param>
/// <param name="Shares">The token for each accepted share (repeats included), by index.</param>
[GenerateSerializer, Immutable, Alias("alerts.EngagementResult")]
public sealed record EngagementResult(
    [property: Id(0)] int Counted,
    [property: Id(1)] int Repeated,
    [property: Id(2)] int Refused,
    [property: Id(3)] int Rejected,
    [property: Id(4)] List<RejectedEngagement> Rejections,
    [property: Id(5)] List<IssuedShare> Shares)
{
    /// <summary>Nothing reported.</summary>
    public static EngagementResult Empty => new(0, 0, 0, 0, [], []);
}
