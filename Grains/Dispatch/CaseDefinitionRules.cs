using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>The checks a case definition must pass; each failure names the field and the reason.</summary>
public static class CaseDefinitionRules
{
    /// <summary>Longest alert text in characters (AMBER alerts over WEA carry 360).</summary>
    public const int MaxMessageLength = 360;

    /// <summary>Longest link or photo URL, in characters.</summary>
    public const int MaxLinkLength = 512;

    /// <summary>Longest free-text detail (clothing, appearance, place), in characters.</summary>
    public const int MaxDetailLength = 500;

    /// <summary>Most rings in a widening schedule.</summary>
    public const int MaxRings = 10;

    /// <summary>The languages an alert may be written in.</summary>
    public static IReadOnlyList<string> Languages { get; } = ["zh-CN", "zh-TW", "en"];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field; returns the circle and the alert's payload.</summary>
    public static (GeoCircle Circle, AlertPayload Payload) Validate(string caseId, CaseDefinition? definition, AlertsOptions options, DateTimeOffset now)
    {
        ValidateCaseId(caseId);
        if (definition is null) throw new ArgumentException("definition is missing", nameof(definition));
        GeoCircle circle;
        try
        {
            circle = GeoCircle.Create(definition.Latitude, definition.Longitude, definition.RadiusMeters ?? options.DefaultRadiusMeters, options.MaxRadiusMeters);
        }
        catch (GeoValidationException e)
        {
            throw Portable(e);
        }

        ValidateMessage(definition.Message, "message");
        ValidateUrl(definition.Link, "link", required: true);
        ValidateLanguage(definition.Language, "language");
        ValidateChild(definition.Child);
        if (definition.LastSeenAt is not { } seen) throw new ArgumentException("lastSeenAt is missing: when was the child last seen?", "lastSeenAt");
        if (seen > now + options.MaxClockSkew) throw new ArgumentException($"lastSeenAt {seen:O} is in the future", "lastSeenAt");
        RequireText(definition.LastSeenPlace, "lastSeenPlace", 200);
        RequireText(definition.PoliceReference, "policeReference", 64);
        ValidatePhone(definition.ContactPhone);
        // The correction is written before anything goes out: a false alarm is then corrected in seconds, not in 38 minutes.
        ValidateMessage(definition.Correction, "correction");
        ValidateRings(definition.Rings, circle.RadiusMeters, options);
        ValidateTranslations(definition);
        var payload = CasePayloads.Alert(caseId, definition, definition.Message);
        CheckPayloadSize(payload, "message");
        // The correction goes out with the case's link as the alert does, so it must fit a push too.
        CheckPayloadSize(CasePayloads.For(caseId, definition, NoticeKind.Cancelled, definition.Correction!), "correction");
        return (circle, payload);
    }

    /// <summary>A push must fit the providers' limit: the text named by <paramref name="field"/> made it too large.</summary>
    public static void CheckPayloadSize(AlertPayload payload, string field)
    {
        var size = PayloadJson.SizeOf(payload);
        if (size > AlertPayload.MaxBytes) throw new ArgumentException($"{field} makes the push {size} bytes; a push holds at most {AlertPayload.MaxBytes}", field);
    }

    /// <summary>A message of 1–360 characters.</summary>
    public static void ValidateMessage(string? message, string field)
    {
        if (string.IsNullOrWhiteSpace(message)) throw new ArgumentException($"{field} is empty", field);
        if (message.Length > MaxMessageLength) throw new ArgumentException($"{field} has {message.Length} characters; at most {MaxMessageLength}", field);
        CheckStorable(message, field);
    }

    /// <summary>A reason (cancel, reject) of 1–500 characters.</summary>
    public static void ValidateReason(string? reason, string field = "reason") => RequireText(reason, field, MaxDetailLength);

    /// <summary>
    /// The same error as a plain <see cref="ArgumentException"/>: <see cref="GeoValidationException"/> lives in Geo, which stays
    /// free of Orleans, so it has no codec and would reach a client as a codec failure instead of its message.
    /// </summary>
    public static ArgumentException Portable(GeoValidationException error) => new(error.Message, error.ParamName);

    /// <summary>Case ids: 1–64 letters, digits, '-' or '_'.</summary>
    public static void ValidateCaseId(string caseId)
    {
        if (caseId.Length is 0 or > 64 || !caseId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"caseId \"{caseId}\" is invalid: use 1 to 64 letters, digits, '-' or '_'", nameof(caseId));
    }

    private static void ValidateChild(MissingChild? child)
    {
        if (child is null) throw new ArgumentException("child is missing: at least the child's name", "child");
        RequireText(child.Name, "child.name", 100);
        if (child.Age is { } age && age is < 0 or > 17) throw new ArgumentException($"child.age {age} must be within [0, 17]", "child.age");
        if (!Enum.IsDefined(child.Sex)) throw new ArgumentException($"child.sex {child.Sex} is invalid: use Female, Male or Unknown", "child.sex");
        if (child.HeightCm is { } height && height is < 30 or > 220) throw new ArgumentException($"child.heightCm {height} must be within [30, 220]", "child.heightCm");
        OptionalText(child.Clothing, "child.clothing");
        OptionalText(child.Appearance, "child.appearance");
        ValidateUrl(child.PhotoUrl, "child.photoUrl", required: false);
    }

    private static void ValidatePhone(string? phone)
    {
        RequireText(phone, "contactPhone", 32);
        var text = phone!;
        var digits = text.Count(char.IsAsciiDigit);
        if (digits is < 3 or > 15 || !text.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')') || text.LastIndexOf('+') > 0)
            throw new ArgumentException($"contactPhone \"{phone}\" is not a phone number: 3 to 15 digits, optionally '+' first, spaces, '-' and parentheses", "contactPhone");
    }

    private static void ValidateRings(IReadOnlyList<WideningRing>? rings, double radiusMeters, AlertsOptions options)
    {
        if (rings is null) throw new ArgumentException("rings is missing: use an empty list for no widening schedule", "rings");
        if (rings.Count > MaxRings) throw new ArgumentException($"rings has {rings.Count} entries; at most {MaxRings}", "rings");
        var after = TimeSpan.Zero;
        var radius = radiusMeters;
        for (var i = 0; i < rings.Count; i++)
        {
            var ring = rings[i] ?? throw new ArgumentException($"rings[{i}] is missing", "rings");
            if (ring.After <= after) throw new ArgumentException($"rings[{i}].after {ring.After} must come after {(i == 0 ? "the approval" : $"rings[{i - 1}] ({after})")}", "rings");
            if (ring.After >= options.CaseActiveFor) throw new ArgumentException($"rings[{i}].after {ring.After} is not before the case expires ({options.CaseActiveFor})", "rings");
            if (GeoValidation.CheckRadius(ring.RadiusMeters, options.MaxRadiusMeters, $"rings[{i}].radiusMeters") is { } error) throw Portable(error);
            if (ring.RadiusMeters <= radius) throw new ArgumentException($"rings[{i}].radiusMeters {ring.RadiusMeters} must be larger than {radius}", "rings");
            after = ring.After;
            radius = ring.RadiusMeters;
        }
    }

    private static void ValidateTranslations(CaseDefinition definition)
    {
        if (definition.Translations is null) throw new ArgumentException("translations is missing: use an empty list for none", "translations");
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { definition.Language };
        for (var i = 0; i < definition.Translations.Count; i++)
        {
            var translation = definition.Translations[i] ?? throw new ArgumentException($"translations[{i}] is missing", "translations");
            ValidateLanguage(translation.Language, $"translations[{i}].language");
            if (!seen.Add(translation.Language)) throw new ArgumentException($"translations[{i}].language {translation.Language} appears twice", "translations");
            ValidateMessage(translation.Message, $"translations[{i}].message");
            if (translation.Correction is not null) ValidateMessage(translation.Correction, $"translations[{i}].correction");
        }
    }

    private static void ValidateLanguage(string? language, string field)
    {
        if (language is null || !Languages.Contains(language))
            throw new ArgumentException($"{field} \"{language}\" is not supported: use {string.Join(", ", Languages)}", field);
    }

    private static void ValidateUrl(string? url, string field, bool required)
    {
        if (url is null && !required) return;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException($"{field} \"{url}\" is not an absolute http(s) URL", field);
        if (url!.Length > MaxLinkLength) throw new ArgumentException($"{field} has {url.Length} characters; at most {MaxLinkLength}", field);
        CheckStorable(url, field);
    }

    private static void RequireText(string? text, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException($"{field} is missing", field);
        if (text.Length > maxLength) throw new ArgumentException($"{field} has {text.Length} characters; at most {maxLength}", field);
        CheckStorable(text, field);
    }

    private static void OptionalText(string? text, string field)
    {
        if (text is null) return;
        if (text.Length > MaxDetailLength) throw new ArgumentException($"{field} has {text.Length} characters; at most {MaxDetailLength}", field);
        CheckStorable(text, field);
    }

    private static void CheckStorable(string text, string field)
    {
        if (StorableText.Problem(text) is { } problem) throw new ArgumentException($"{field} {problem}", field);
    }
}
