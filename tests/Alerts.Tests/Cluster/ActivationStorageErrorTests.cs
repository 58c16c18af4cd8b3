using Alerts.Grains;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;
using Dapper;

namespace Alerts.Tests;

/// <summary>A grain's own table work during activation fails as an error a client can read, not as the driver's exception.</summary>
public sealed class ActivationStorageErrorTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_database_failure_during_activation_names_the_work_the_grain_and_the_reason(string provider)
    {
        var store = StorageKind.Fresh(provider);
        await using var engine = StoreEngine.For(store.Provider, store.ConnectionString);
        var hub = GrainId.Create("pushhub", "0");

        // A real driver error: the table is not there.
        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => ReadableStorageErrors.DuringActivation(async () =>
        {
            await using var connection = await engine.OpenAsync();
            await connection.QueryAsync<long>("SELECT batch_id FROM no_such_outbox");
        }, "loading the outbox", hub));

        Assert.StartsWith("storage failed loading the outbox of pushhub/0: ", error.Message);
        Assert.Contains("no_such_outbox", error.Message);
    }

    [Fact]
    public async Task Work_that_succeeds_or_fails_for_another_reason_passes_through()
    {
        var ran = false;
        await ReadableStorageErrors.DuringActivation(() => { ran = true; return Task.CompletedTask; }, "loading", GrainId.Create("pushhub", "0"));
        Assert.True(ran);
        // Not the database's: a bug stays a bug, with its own type.
        await Assert.ThrowsAsync<ArgumentException>(() => ReadableStorageErrors.DuringActivation(() => throw new ArgumentException("bad"), "loading", GrainId.Create("pushhub", "0")));
    }
}
