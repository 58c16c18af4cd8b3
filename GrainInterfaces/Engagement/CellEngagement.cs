namespace Alerts.GrainInterfaces;

/// <summary>A case's engagement in one map cell: where the user was (their resident cell) or where a sighting was.</summary>
/// <param name="Cell">The geohash of the cell; <see cref="Unknown"/> for users with no stored position, <see cref="Overflow"/> for cells beyond the bounded map.</param>
[GenerateSerializer, Immutable, Alias("alerts.CellEngagement")]
public sealed record CellEngagement(
    [property: Id(0)] string Cell,
    [property: Id(1)] long Delivered,
    [property: Id(2)] long Opened,
    [property: Id(3)] long Shares,
    [property: Id(4)] long Sightings)
{
    /// <summary>The cell of users whose position is not stored (e.g. people outside the radius who came through a share).</summary>
    public const string Unknown = "?";

    /// <summary>The cell that gathers everything past the map's bound of distinct cells.</summary>
    public const string Overflow = "*";
}
