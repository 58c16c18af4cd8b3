namespace Alerts.Cli;

/// <summary>A populated place from GeoNames' cities15000 list.</summary>
public sealed record Place(string Name, string Country, double Latitude, double Longitude, long Population);
