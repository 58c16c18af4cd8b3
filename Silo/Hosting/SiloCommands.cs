using Alerts.Grains;

namespace Alerts.Silo;

/// <summary>The silo's administrative commands.</summary>
public static class SiloCommands
{
    /// <summary>`migrate`: creates or updates the database schema (Orleans' tables on PostgreSQL, the product's on both); safe to repeat.</summary>
    public static async Task<int> MigrateAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        try
        {
            var settings = SiloHosting.ReadSettings(builder.Configuration, builder.Environment.ContentRootPath);
            // Checked as a silo's start checks them, before the database is touched: the precision is written into it
            // for good, and an invalid one there refused every later silo start.
            var options = builder.Configuration.GetSection(AlertsOptions.Section).Get<AlertsOptions>() ?? new AlertsOptions();
            options.Validate();
            var cellPrecision = options.CellPrecision;
            // The host only for its logging (as configured for the silo): a conversion of earlier rows is logged with its duration.
            await using var host = builder.Build();
            var location = await ApplySchemaAsync(settings, cellPrecision, host.Services.GetRequiredService<ILogger<ProductSchema>>());
            Console.WriteLine($"schema is current at {location}");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException or Alerts.Geo.GeoValidationException)
        {
            Console.Error.WriteLine("migrate failed: " + e.Message);
            return 2;
        }
    }

    /// <summary>
    /// What `migrate` applies, for hosts other than the command line (tests, the bench): Orleans' schema on PostgreSQL,
    /// then the product's tables at <paramref name="cellPrecision"/>; returns where.
    /// </summary>
    public static async Task<string> ApplySchemaAsync(ClusterSettings settings, int cellPrecision, ILogger<ProductSchema>? logger = null)
    {
        if (!settings.IsEmbedded) await PostgresSchema.ApplyAsync(settings.ConnectionString);
        await using var engine = StoreEngine.For(settings.Provider, settings.ConnectionString, settings.MaxPoolSize, settings.ConnectionWait);
        await new ProductSchema(engine, logger).EnsureAsync(cellPrecision);
        return $"{engine.Name} at {engine.Location}";
    }
}
