namespace Alerts.Runtime.Tests;

/// <summary>Storage settings for a test: a fresh SQLite file or a fresh PostgreSQL database.</summary>
public static class StorageKind
{
    /// <summary>The providers every storage test runs against.</summary>
    public static TheoryData<string> All => new() { "sqlite", "postgres" };

    /// <summary>Provider and connection string for a new, empty store.</summary>
    public static StorageOptions Fresh(string provider) => provider switch
    {
        "sqlite" => new StorageOptions
        {
            Provider = "sqlite",
            ConnectionString = $"Data Source={ScratchFolder.NewFile(".db")}",
        },
        "postgres" => new StorageOptions { Provider = "postgres", ConnectionString = PostgresServer.Instance.CreateDatabase() },
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
