using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// The silos of a cluster that run now, each with its <see cref="SharedSettings"/> (table <c>live_silos</c>, one row per
/// silo endpoint): a silo joins only while its shared settings match every live silo's, so a rolling restart with another
/// DirectoryShards, or a key only some silos were given, stops at the first silo instead of splitting the cluster
/// silently. A silo's row is written again every <see cref="Refresh"/> and removed when it stops; one not written for
/// <see cref="LiveFor"/> (a killed silo's) no longer counts. Times are the database server's, so silos' clocks need not
/// agree. The embedded silo runs alone and keeps no row.
/// </summary>
public sealed class LiveSilos(StoreEngine engine, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time, ILogger<LiveSilos> logger, bool enabled) : BackgroundService
{
    /// <summary>How often a silo writes its row again.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    /// <summary>How long a row counts after it was last written: three refreshes, so one failed write does not drop a live silo.</summary>
    public static readonly TimeSpan LiveFor = 3 * Refresh;

    private string? _silo;
    private SharedSettings? _settings;

    /// <summary>
    /// Records this silo (by its endpoint: a process at the same address and port is this one's predecessor, dead) with its
    /// settings, or throws <see cref="InvalidOperationException"/> naming each setting that differs from a live silo's,
    /// both values, and how to change it (stop every silo first).
    /// </summary>
    public async Task JoinAsync(string silo, SharedSettings settings)
    {
        if (!enabled) return;
        await using var connection = await engine.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Under the schema's lock: of two silos starting together with different settings, the second sees the first's row.
        await engine.LockSchemaAsync(connection, transaction);
        await connection.ExecuteAsync($"DELETE FROM live_silos WHERE seen_ms < {engine.NowMilliseconds} - @liveFor", new { liveFor = (long)LiveFor.TotalMilliseconds }, transaction);
        var differences = await DifferencesAsync(connection, transaction, silo, settings);
        if (differences.Count > 0)
        {
            // Nothing written: the transaction rolls back as it is disposed.
            throw new InvalidOperationException(
                "This silo's settings differ from the running silos' (every silo of a cluster must share them):" + Environment.NewLine +
                string.Join(Environment.NewLine, differences.Select(d => "- " + d)) + Environment.NewLine +
                "Start it with the running silos' values, or stop every silo to change them (a killed silo stops counting " +
                $"{LiveFor.TotalSeconds:0} s after it was last seen).");
        }

        await WriteAsync(connection, transaction, silo, settings);
        await transaction.CommitAsync();
        (_silo, _settings) = (silo, settings);
    }

    /// <summary>Removes this silo's row, so a full restart with changed settings need not wait for it to go stale.</summary>
    public async Task LeaveAsync()
    {
        if (_silo is not { } silo) return;
        _silo = null;
        try
        {
            await using var connection = await engine.OpenAsync();
            await connection.ExecuteAsync("DELETE FROM live_silos WHERE silo = @silo", new { silo });
        }
        catch (Exception e)
        {
            // The row goes stale on its own.
            logger.LogWarning(e, "Removing this silo's row from live_silos failed; it stops counting after {Seconds} s", LiveFor.TotalSeconds);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!enabled) return;
        using var timer = new PeriodicTimer(Refresh, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if ((_silo, _settings) is not ({ } silo, { } settings)) continue;
                try
                {
                    await using var connection = await engine.OpenAsync(stoppingToken);
                    await using var transaction = await connection.BeginTransactionAsync(stoppingToken);
                    // Written again, not only touched: a row another silo removed as stale (this one missed its refreshes
                    // while the database was away) comes back.
                    await WriteAsync(connection, transaction, silo, settings);
                    // A silo that joined while this one's row was gone may differ; nothing can stop it now, so say it loudly.
                    foreach (var difference in await DifferencesAsync(connection, transaction, silo, settings))
                        logger.LogError("Live silos disagree on a setting every silo must share: {Difference}", difference);
                    await transaction.CommitAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next refresh tries again; only three missed in a row let a silo with other settings in.
                    logger.LogWarning(e, "Refreshing this silo's row in live_silos failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task WriteAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string silo, SharedSettings settings) =>
        connection.ExecuteAsync(
            $"INSERT INTO live_silos (silo, settings, seen_ms) VALUES (@silo, @settings, {engine.NowMilliseconds}) ON CONFLICT (silo) DO UPDATE SET settings = excluded.settings, seen_ms = excluded.seen_ms",
            new { silo, settings = settings.ToJson() }, transaction);

    // Each difference from another silo whose row counts.
    private async Task<List<string>> DifferencesAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string silo, SharedSettings settings)
    {
        var others = await connection.QueryAsync<(string Silo, string Settings)>(
            $"SELECT silo, settings FROM live_silos WHERE silo <> @silo AND seen_ms >= {engine.NowMilliseconds} - @liveFor ORDER BY silo",
            new { silo, liveFor = (long)LiveFor.TotalMilliseconds }, transaction);
        return others.SelectMany(o => settings.DifferencesFrom(SharedSettings.FromJson(o.Settings), o.Silo)).ToList();
    }
}
