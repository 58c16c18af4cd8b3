using Alerts.GrainInterfaces;

namespace Alerts.TestSupport;

/// <summary>Case definitions that pass every check, for tests and benchmarks whose subject is not the case's content.</summary>
public static class SampleCases
{
    /// <summary>A time before every clock the tests run on (the manual clocks start in November 2026).</summary>
    public static readonly DateTimeOffset LastSeen = new(2026, 10, 31, 6, 0, 0, TimeSpan.Zero);

    /// <summary>A valid case at a point, with the given radius (null: the default), message and link.</summary>
    public static CaseDefinition At(double latitude, double longitude, double? radiusMeters, string message = "Missing: boy, 6, red jacket", string link = "https://alerts.example/c/x") =>
        new(latitude, longitude, radiusMeters, message, link)
        {
            Language = "en",
            Child = new MissingChild("Test Child", 6, ChildSex.Male, 115, "red jacket", null, null),
            LastSeenAt = LastSeen,
            LastSeenPlace = "the test square",
            PoliceReference = "TEST-0001",
            ContactPhone = "+86 110",
            Correction = "Correction: the alert for this child was sent in error. Please disregard it.",
        };
}
