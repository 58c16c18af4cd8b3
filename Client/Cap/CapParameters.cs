namespace Alerts.Client.Cap;

/// <summary>
/// The <c>parameter</c> value names this product reads and writes for a case's details (README "CAP 1.2").
/// Value names are matched exactly (CAP value names are case-sensitive); others are ignored on import.
/// </summary>
public static class CapParameters
{
    /// <summary>The child's name (required once any child detail is given).</summary>
    public const string ChildName = "childName";

    /// <summary>Age in whole years.</summary>
    public const string ChildAge = "childAge";

    /// <summary><c>female</c>, <c>male</c> or <c>unknown</c>.</summary>
    public const string ChildSex = "childSex";

    /// <summary>Height in whole centimetres.</summary>
    public const string ChildHeightCm = "childHeightCm";

    /// <summary>What the child wore.</summary>
    public const string Clothing = "clothing";

    /// <summary>What the child looks like.</summary>
    public const string Appearance = "appearance";

    /// <summary>An absolute http(s) URL of a photo (else the first <c>image/*</c> resource's <c>uri</c>).</summary>
    public const string PhotoUrl = "photoUrl";

    /// <summary>When the child was last seen, as a CAP date-time (e.g. <c>2026-11-29T14:05:00+08:00</c>).</summary>
    public const string LastSeenAt = "lastSeenAt";

    /// <summary>Where the child was last seen, in words.</summary>
    public const string LastSeenPlace = "lastSeenPlace";

    /// <summary>The police's reference for the case.</summary>
    public const string PoliceReference = "policeReference";

    /// <summary>The correction prepared for a cancellation, in the info block's language.</summary>
    public const string Correction = "correction";

    /// <summary>One widening ring, "minutes_after_approval radius_km" (e.g. <c>60 200</c>); repeat for each ring.</summary>
    public const string Ring = "ring";

    /// <summary>Every value name above, in the order exports write them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [ChildName, ChildAge, ChildSex, ChildHeightCm, Clothing, Appearance, PhotoUrl, LastSeenAt, LastSeenPlace, PoliceReference, Correction, Ring];
}
