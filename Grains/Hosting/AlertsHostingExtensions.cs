using Alerts.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Alerts.Grains;

/// <summary>Adds the product (grains, their store and start-up work) to a host that already calls UseAlertsSilo.</summary>
public static class AlertsHostingExtensions
{
    /// <summary>Hosts the Alerts grains with their settings from the "Alerts" section.</summary>
    public static IHostApplicationBuilder UseAlerts(this IHostApplicationBuilder builder)
    {
        builder.UseAlertsSilo(silo => silo.AddGrains(typeof(AlertsHostingExtensions).Assembly));
        builder.Services.AddOptions<AlertsOptions>().Bind(builder.Configuration.GetSection(AlertsOptions.Section));
        builder.Services.AddSingleton(sp => new AlertsStore(sp.GetRequiredService<SqlGrainStorage>().Dialect));
        builder.Services.AddSingleton<ResidentCellIndex>();
        builder.Services.AddSingleton<DirectorySnapshot>();
        builder.Services.AddSingleton<ResidentWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ResidentWriter>());
        builder.Services.AddHostedService<AlertsStartup>();
        builder.Services.AddSingleton<StalePositionPurge>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StalePositionPurge>());
        return builder;
    }
}
