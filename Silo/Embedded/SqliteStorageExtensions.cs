using Alerts.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Alerts.Silo;

/// <summary>Registers the embedded silo's SQLite grain storage and reminder table.</summary>
public static class SqliteStorageExtensions
{
    /// <summary>A named grain storage in the SQLite file.</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder silo, string name, string connectionString)
    {
        silo.Services.AddKeyedSingleton(name, (sp, _) => new SqliteGrainStorage(
            name,
            new SqliteEngine(connectionString),
            sp.GetKeyedService<IGrainStorageSerializer>(name) ?? sp.GetRequiredService<IGrainStorageSerializer>()));
        silo.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => sp.GetRequiredKeyedService<SqliteGrainStorage>(key));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredKeyedService<SqliteGrainStorage>(name));
        return silo;
    }

    /// <summary>Reminders (the service and its table) in the SQLite file.</summary>
    public static ISiloBuilder UseSqliteReminders(this ISiloBuilder silo, string connectionString)
    {
        silo.AddReminders();
        silo.Services.AddSingleton<IReminderTable>(new SqliteReminderTable(new SqliteEngine(connectionString)));
        return silo;
    }
}
