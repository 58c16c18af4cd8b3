namespace Alerts.GrainInterfaces;

/// <summary>The signed token for a reported share: the app puts it in the share link.</summary>
/// <param name="Index">The share's position in the caller's list.</param>
/// <param name="Token">The token (URL-safe).</param>
/// <param name="Generation">How deep in the sharing this share is: 1 for a share by a pushed user, n + 1 by someone who came through a generation-n link.</param>
[GenerateSerializer, Immutable, Alias("alerts.IssuedShare")]
public sealed record IssuedShare([property: Id(0)] int Index, [property: Id(1)] string Token, [property: Id(2)] int Generation);
