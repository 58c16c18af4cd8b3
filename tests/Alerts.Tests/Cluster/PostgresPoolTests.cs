using Alerts.Grains;
using Alerts.Silo;
using Npgsql;

namespace Alerts.Tests;

/// <summary>The silo's pool bound and connection wait go into every PostgreSQL connection string that does not set them itself.</summary>
public sealed class PostgresPoolTests
{
    [Theory]
    [InlineData("Host=db;Database=alerts", 10, 60)]
    // Other settings whose names merely contain "Pool Size" or "Timeout" once kept the silo's bounds out.
    [InlineData("Host=db;Database=alerts;Minimum Pool Size=2;Command Timeout=120", 10, 60)]
    [InlineData("Host=db;Database=alerts;Maximum Pool Size=20;Timeout=5", 20, 5)]
    [InlineData("Host=db;Database=alerts;MaxPoolSize=30", 30, 60)]
    public void The_bounds_apply_unless_the_string_sets_them(string connectionString, int maxPoolSize, int timeout)
    {
        var bounded = new NpgsqlConnectionStringBuilder(PostgresPool.Bounded(connectionString, 10, TimeSpan.FromSeconds(60)));
        Assert.Equal((maxPoolSize, timeout), (bounded.MaxPoolSize, bounded.Timeout));
    }

    [Fact]
    public void A_cluster_left_with_the_sqlite_connection_string_is_refused_naming_the_setting()
    {
        var settings = new ClusterSettings { Provider = "postgres" };
        var error = Assert.Throws<InvalidOperationException>(settings.Validate);
        Assert.StartsWith("Alerts:Cluster:ConnectionString is not a PostgreSQL connection string (", error.Message);
        Assert.Contains("give one for the postgres provider", error.Message);
    }
}
