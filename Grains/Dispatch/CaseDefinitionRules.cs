using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>The checks a case definition must pass; each failure names the field and the reason.</summary>
public static class CaseDefinitionRules
{
    /// <summary>Longest alert text, in characters.</summary>
    public const int MaxMessageLength = 1_000;

    /// <summary>Longest link, in characters.</summary>
    public const int MaxLinkLength = 512;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public static (GeoCircle Circle, AlertPayload Payload) Validate(string caseId, CaseDefinition? definition, AlertsOptions options)
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

        if (string.IsNullOrWhiteSpace(definition.Message)) throw new ArgumentException("message is empty", "message");
        if (definition.Message.Length > MaxMessageLength) throw new ArgumentException($"message has {definition.Message.Length} characters; at most {MaxMessageLength}", "message");
        if (!Uri.TryCreate(definition.Link, UriKind.Absolute, out var link) || (link.Scheme != Uri.UriSchemeHttps && link.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException($"link \"{definition.Link}\" is not an absolute http(s) URL", "link");
        if (definition.Link.Length > MaxLinkLength) throw new ArgumentException($"link has {definition.Link.Length} characters; at most {MaxLinkLength}", "link");
        var payload = new AlertPayload(caseId, definition.Message, definition.Link);
        var size = PayloadJson.SizeOf(payload);
        if (size > AlertPayload.MaxBytes) throw new ArgumentException($"message makes the push {size} bytes; a push holds at most {AlertPayload.MaxBytes}", "message");
        return (circle, payload);
    }

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
}
