namespace Alerts.TestSupport;

/// <summary>A store for one test: the provider ("sqlite" or "postgres") and a connection string to a new, empty database.</summary>
public sealed record TestStore(string Provider, string ConnectionString)
{
    /// <summary>True for PostgreSQL.</summary>
    public bool IsPostgres => Provider == "postgres";
}

/// <summary>Storage settings for a test: a fresh SQLite file or a fresh PostgreSQL database.</summary>
public static class StorageKind
{
    /// <summary>The providers every storage test runs against.</summary>
    public static TheoryData<string> All => new() { "sqlite", "postgres" };

    /// <summary>Provider and connection string for a new, empty store.</summary>
    public static TestStore Fresh(string provider) => provider switch
    {
        "sqlite" => new TestStore("sqlite", $"Data Source={ScratchFolder.NewFile(".db")}"),
        "postgres" => new TestStore("postgres", PostgresServer.Instance.CreateDatabase()),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
