using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary>
/// Decides what each simulated person does with an alert: every device reports the delivery; a person opens it with
/// the open rate, and an opener shares it (on a drawn channel) with the share rate and reports a sighting near where they
/// are with the sighting rate. Each decision is drawn from a hash of the seed, the case and the user, so a run with the
/// same seed makes the same decisions whatever the order the pushes arrive in.
/// </summary>
public sealed class DeviceBehaviour(SimulationSettings settings)
{
    /// <summary>People reached through a share pass it on only up to this generation of sharing.</summary>
    public const int MaxShareGeneration = 3;

    /// <summary>A sighting is reported at most this far from the person.</summary>
    public const double SightingMeters = 300;

    private const string SightingText = "Simulated sighting: a child like the one in the alert, seen a few minutes ago near here";
    private static readonly ShareChannel[] Channels = Enum.GetValues<ShareChannel>();

    /// <summary>The first user id above the residents': people reached through share links get ids from here.</summary>
    public long FirstOutsiderId => settings.FirstUserId + settings.Population;

    /// <summary>
    /// Adds to <paramref name="into"/> what the devices of an alert batch report: each user's delivery, then the opens,
    /// shares and sightings drawn for them; <paramref name="position"/> gives a user's place (null when unknown: no sighting).
    /// </summary>
    public void React(PushBatch batch, DateTimeOffset now, Func<long, (double Latitude, double Longitude)?> position, ICollection<EngagementEvent> into)
    {
        var caseKey = CaseKey(batch.CaseId);
        foreach (var user in batch.UserIds)
        {
            into.Add(EngagementEvent.Delivered(batch.CaseId, user, now));
            var draw = new Draw(caseKey, user);
            if (draw.Uniform(0) >= settings.OpenRate) continue;
            into.Add(EngagementEvent.Opened(batch.CaseId, user, now));
            if (draw.Uniform(1) < settings.ShareRate) into.Add(EngagementEvent.Shared(batch.CaseId, user, now, draw.Channel()));
            if (draw.Uniform(2) < settings.SightingRate && position(user) is { } at)
            {
                var seen = GreatCircle.Destination(at.Latitude, at.Longitude, draw.Uniform(3) * 360, draw.Uniform(4) * SightingMeters);
                into.Add(EngagementEvent.Sighted(batch.CaseId, user, now, new SightingDetails(seen.Latitude, seen.Longitude, SightingText)));
            }
        }
    }

    /// <summary>
    /// What the people a share reaches outside the population report: <see cref="SimulationSettings.ShareReach"/> of them
    /// open through its token, and each who draws a share passes it on (below <see cref="MaxShareGeneration"/>). The k-th
    /// person reached through the share of the user at index i (user id minus the first) has index
    /// population + i × reach + k: unique, above the residents, and the same on every run.
    /// </summary>
    public IEnumerable<EngagementEvent> FollowLink(EngagementEvent share, IssuedShare issued, DateTimeOffset now)
    {
        var caseKey = CaseKey(share.CaseId);
        var sharerIndex = share.UserId - settings.FirstUserId;
        for (var k = 0; k < settings.ShareReach; k++)
        {
            var user = FirstOutsiderId + sharerIndex * settings.ShareReach + k;
            yield return EngagementEvent.Opened(share.CaseId, user, now, issued.Token);
            var draw = new Draw(caseKey, user);
            if (issued.Generation < MaxShareGeneration && draw.Uniform(1) < settings.ShareRate)
                yield return EngagementEvent.Shared(share.CaseId, user, now, draw.Channel(), issued.Token);
        }
    }

    // FNV-1a over the case id, mixed with the seed: stable across processes, unlike string.GetHashCode.
    private ulong CaseKey(string caseId)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in caseId) hash = (hash ^ c) * 1099511628211UL;
        return Draw.Mix(hash ^ Draw.Mix((ulong)(uint)settings.Seed));
    }

    // A person's draws for one case: independent uniform numbers in [0, 1), one per salt.
    private readonly struct Draw(ulong caseKey, long user)
    {
        private readonly ulong _key = Mix(caseKey ^ (ulong)user);

        public double Uniform(int salt) => (Mix(_key + (ulong)(salt + 1) * 0x9E3779B97F4A7C15UL) >> 11) * (1.0 / (1UL << 53));

        public ShareChannel Channel() => Channels[(int)(Uniform(5) * Channels.Length)];

        // SplitMix64's finalizer.
        public static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
