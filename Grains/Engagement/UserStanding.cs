namespace Alerts.Grains;

/// <summary>What a case knows of one user before a report is counted: pushed or not, the generation they opened at (if they did), their cell.</summary>
/// <param name="Pushed">The user is among the case's recipients.</param>
/// <param name="OpenedAt">The generation of the link they opened through (0: from the push), or null before their first open.</param>
/// <param name="Cell">Their resident cell (geohash), or <see cref="Alerts.GrainInterfaces.CellEngagement.Unknown"/>.</param>
public readonly record struct UserStanding(bool Pushed, int? OpenedAt, string Cell);
