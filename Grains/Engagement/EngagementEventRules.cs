using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>The checks an engagement event must pass before it is counted; each failure names the field and the reason.</summary>
public static class EngagementEventRules
{
    /// <summary>Longest sighting text, in characters.</summary>
    public const int MaxSightingText = 2_000;

    /// <summary>Longest photo link, in characters.</summary>
    public const int MaxPhotoUrl = 2_048;

    /// <summary>Longest contact, in characters.</summary>
    public const int MaxContact = 200;

    /// <summary>The first problem with <paramref name="item"/> (field, reason), or null when it is well formed.</summary>
    public static (string Field, string Reason)? Check(EngagementEvent? item, DateTimeOffset now, EngagementOptions options)
    {
        if (item is null) return ("event", "is null");
        if (!Enum.IsDefined(item.Kind)) return ("kind", $"{(int)item.Kind} is not one of {string.Join(", ", Enum.GetNames<EngagementKind>())}");
        try
        {
            CaseDefinitionRules.ValidateCaseId(item.CaseId ?? "");
        }
        catch (ArgumentException)
        {
            return ("caseId", $"\"{item.CaseId}\" is invalid: use 1 to 64 letters, digits, '-' or '_'");
        }

        if (item.UserId <= 0) return ("userId", $"{item.UserId} must be positive");
        if (item.Time == default) return ("time", "is missing");
        if (item.Time > now + options.MaxClockSkew) return ("time", $"{item.Time:O} is in the future");
        if (item.Time < now - options.MaxEventAge) return ("time", $"{item.Time:O} is older than {options.MaxEventAge.TotalDays:0.#} days");
        if (item.ShareToken is { Length: 0 }) return ("shareToken", "is empty (leave it out when the user did not come through a share link)");
        return item.Kind switch
        {
            EngagementKind.Shared when item.Channel is null => ("channel", $"is missing; a share names one of {string.Join(", ", Enum.GetNames<ShareChannel>())}"),
            EngagementKind.Shared when !Enum.IsDefined(item.Channel.Value) => ("channel", $"{(int)item.Channel.Value} is not one of {string.Join(", ", Enum.GetNames<ShareChannel>())}"),
            EngagementKind.Sighted => CheckSighting(item.Sighting),
            _ => null,
        };
    }

    private static (string Field, string Reason)? CheckSighting(SightingDetails? sighting)
    {
        if (sighting is null) return ("sighting", "is missing; a sighting says where and what");
        if (GeoValidation.CheckLatitude(sighting.Latitude, "sighting.latitude") is { } lat) return (lat.Field, lat.Message);
        if (GeoValidation.CheckLongitude(sighting.Longitude, "sighting.longitude") is { } lon) return (lon.Field, lon.Message);
        // The open sea off Africa: where a phone without a fix says it is. Searchers sent there would lose the sighting.
        if (sighting.Latitude == 0 && sighting.Longitude == 0) return ("sighting.latitude", "0 with longitude 0 is what a device without a position fix reports; send the place where the child was seen");
        if (string.IsNullOrWhiteSpace(sighting.Text)) return ("sighting.text", "is empty; say what was seen");
        if (sighting.Text.Length > MaxSightingText) return ("sighting.text", $"has {sighting.Text.Length} characters; at most {MaxSightingText}");
        if (StorableText.Problem(sighting.Text) is { } text) return ("sighting.text", text);
        if (sighting.PhotoUrl is { } photo)
        {
            if (photo.Length > MaxPhotoUrl) return ("sighting.photoUrl", $"has {photo.Length} characters; at most {MaxPhotoUrl}");
            if (!Uri.TryCreate(photo, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
                return ("sighting.photoUrl", $"\"{photo}\" is not an absolute http(s) URL");
            if (StorableText.Problem(photo) is { } problem) return ("sighting.photoUrl", problem);
        }

        if (sighting.Contact is { Length: > MaxContact } contact) return ("sighting.contact", $"has {contact.Length} characters; at most {MaxContact}");
        if (sighting.Contact is { } given && StorableText.Problem(given) is { } unstorable) return ("sighting.contact", unstorable);
        return null;
    }
}
