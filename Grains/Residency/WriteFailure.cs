namespace Alerts.Grains;

/// <summary>Position writes failing: since when (the first failure since the last write that succeeded) and the latest error.</summary>
public sealed record WriteFailure(DateTimeOffset Since, string Error);
