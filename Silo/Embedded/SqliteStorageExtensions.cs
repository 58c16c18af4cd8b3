using Alerts.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Alerts.Silo;

/// <summary>Registers the embedded silo's SQLite grain storage and reminder table.</summary>
public static class SqliteStorageExtensions
{
    /// <summary>A grain storage named <paramref name="name"/> in the SQLite file <paramref name="connectionString"/> names.</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder silo, string name, string connectionString)
    {
        var database = new SqliteEngine(connectionString);
        // Orleans' own AddGrainStorage registers the keyed IGrainStorage, the unkeyed default for the default name,
        // and the lifecycle participation that creates the table.
        silo.Services.AddGrainStorage(name, (services, key) => new SqliteGrainStorage(
            key,
            database,
            // A serializer registered under the provider's name wins over the silo-wide one, as for Orleans' own providers.
            services.GetKeyedService<IGrainStorageSerializer>(key) ?? services.GetRequiredService<IGrainStorageSerializer>(),
            services.GetRequiredService<IActivatorProvider>()));
        return silo;
    }

    /// <summary>The SQLite grain storage as the default one, used by grains that name no storage.</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder silo, string connectionString) =>
        silo.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, connectionString);

    /// <summary>Orleans reminders with their table in the SQLite file <paramref name="connectionString"/> names.</summary>
    public static ISiloBuilder UseSqliteReminders(this ISiloBuilder silo, string connectionString)
    {
        silo.AddReminders();
        silo.Services.AddSingleton<IReminderTable>(new SqliteReminderTable(new SqliteEngine(connectionString)));
        return silo;
    }
}
