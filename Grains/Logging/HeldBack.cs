namespace Alerts.Grains;

/// <summary>Repeats of a throttled warning that were counted, not logged: how many, about how many things, and since when.</summary>
public readonly record struct HeldBack(long Count, long Items, DateTimeOffset Since);
