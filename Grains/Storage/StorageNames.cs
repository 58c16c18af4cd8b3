namespace Alerts.Grains;

/// <summary>Names of the Orleans grain storage providers the grains use.</summary>
public static class StorageNames
{
    /// <summary>The one store for grain state: SQLite when embedded, PostgreSQL in a cluster.</summary>
    public const string Alerts = "alerts";

    /// <summary>The provider behind <see cref="Alerts"/>, which <see cref="ReadableStorageErrors"/> wraps.</summary>
    public const string Inner = "alerts-inner";
}
