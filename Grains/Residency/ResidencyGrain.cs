using Microsoft.Extensions.DependencyInjection;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// The gateway's entry point: validates each update on its own (a bad one is rejected with its field
/// and reason, the rest go on), then hands the valid ones to the directory shards in parallel.
/// A stateless worker, so several batches are validated at once.
/// </summary>
[StatelessWorker]
public sealed class ResidencyGrain(
    ResidentStore store,
    AuditStore audit,
    IOptions<AlertsOptions> options,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time) : Grain, IResidencyGrain
{
    private readonly AlertsOptions _options = options.Value;

    public async Task<IngestResult> Report(List<LocationUpdate> updates)
    {
        if (updates is null) throw new ArgumentException("updates must be a list of location updates", nameof(updates));
        if (updates.Count > _options.MaxUpdatesPerReport)
            throw new ArgumentException($"updates has {updates.Count} entries; at most {_options.MaxUpdatesPerReport} per call", nameof(updates));

        var now = time.GetUtcNow();
        var rejections = new List<RejectedUpdate>();
        var valid = new List<LocationUpdate>(updates.Count);
        for (var i = 0; i < updates.Count; i++)
        {
            var update = updates[i];
            var problem = Check(update, now);
            if (problem is null) valid.Add(update);
            else rejections.Add(new RejectedUpdate(i, update?.UserId ?? 0, problem.Value.Field, problem.Value.Reason));
        }

        // The fan-out below acts for the silo, not for the caller: nothing downstream reads who called, and each of its
        // hundreds of grain calls would otherwise copy the caller's context (a tenth of what ingest allocated).
        RequestContext.Clear();
        var results = await Task.WhenAll(valid.GroupBy(u => Shard(u.UserId))
            .Select(g => GrainFactory.GetGrain<IUserDirectoryGrain>(g.Key).Apply(g.ToList())));
        // Acknowledged only once written: one wait per silo writer (through any block it holds), shared with every
        // report waiting on it (group commit), so a silo killed after this answer has lost nothing it acknowledged.
        await Task.WhenAll(results.SelectMany(r => r.Writes ?? []).DistinctBy(w => w.Writer)
            .Select(w => GrainFactory.GetCell(Geohash.FromPacked(w.Block)).WhenWritten(w.Writer)));
        return new IngestResult(results.Sum(r => r.Applied), results.Sum(r => r.Ignored), rejections.Count, rejections);
    }

    public async Task SetOptOut(long userId, bool optedOut)
    {
        CheckUserId(userId);
        await GrainFactory.GetGrain<IUserDirectoryGrain>(Shard(userId)).SetOptOut(userId, optedOut);
        await AuditIfAdminAsync(optedOut ? "user.opt-out" : "user.opt-in", userId);
    }

    public async Task SetTester(long userId, bool tester)
    {
        CheckUserId(userId);
        await store.SetTesterAsync(userId, tester, time.GetUtcNow());
        await AuditIfAdminAsync(tester ? "user.tester-enrolled" : "user.tester-withdrawn", userId);
    }

    public async Task Erase(long userId)
    {
        CheckUserId(userId);
        await GrainFactory.GetGrain<IUserDirectoryGrain>(Shard(userId)).Erase(userId);
        await AuditIfAdminAsync("user.erase", userId);
    }

    public async Task<UnsettledResidency> Settle()
    {
        var shards = Enumerable.Range(0, _options.DirectoryShards).Select(shard => GrainFactory.GetGrain<IUserDirectoryGrain>(shard)).ToList();
        var left = Array.Empty<UnsettledResidency>();
        // Twice: the answers in flight, then those of the blocks asked again because their question failed. The wait is
        // here, not in the shards: a shard waiting in its own turn would hold its reports while a block hangs.
        for (var round = 0; round < 2; round++)
        {
            try
            {
                await Task.WhenAll(shards.Select(shard => shard.WhenAnswered()));
            }
            catch (Exception)
            {
                // A wait that ended without the answers (a timeout, a shard's silo gone): what did not come is left, and said so.
            }

            left = await Task.WhenAll(shards.Select(shard => shard.Settle()));
        }

        var unsettled = UnsettledResidency.Sum(left);
        await audit.AppendAsync(time.GetUtcNow(), "residency.settle", "residency", null, null, $"left: removals owed {unsettled.OwedRemovals}, users awaiting a block's answer {unsettled.AwaitingAnswer}");
        return unsettled;
    }

    // A user's own requests arrive through the gateway; what an admin does to a user is an admin action, and audited.
    private Task AuditIfAdminAsync(string action, long userId) =>
        Caller.Roles.Contains(Roles.Admin)
            ? audit.AppendAsync(time.GetUtcNow(), action, $"user:{userId}", null, null)
            : Task.CompletedTask;

    private long Shard(long userId) => userId % _options.DirectoryShards;

    private static void CheckUserId(long userId)
    {
        if (userId <= 0) throw new ArgumentException($"userId {userId} is invalid: must be positive", nameof(userId));
    }

    private (string Field, string Reason)? Check(LocationUpdate? update, DateTimeOffset now)
    {
        if (update is null) return ("update", "is null");
        if (update.UserId <= 0) return ("userId", $"{update.UserId} must be positive");
        if (GeoValidation.CheckLatitude(update.Latitude) is { } lat) return (lat.Field, lat.Message);
        if (GeoValidation.CheckLongitude(update.Longitude) is { } lon) return (lon.Field, lon.Message);
        if (update.FixTime == default) return ("fixTime", "is missing");
        if (update.FixTime > now + _options.MaxClockSkew) return ("fixTime", $"{update.FixTime:O} is in the future");
        if (update.FixTime < now - _options.MaxPositionAge) return ("fixTime", $"{update.FixTime:O} is older than the {_options.MaxPositionAge.TotalDays:0.#}-day retention");
        return null;
    }
}
