using Alerts.Grains;
using Alerts.Silo;
using Npgsql;

namespace Alerts.Tests;

/// <summary>A cluster's settings: the pool bound and connection wait in every PostgreSQL connection string that does not set them, and what is refused at start.</summary>
public sealed class ClusterSettingsTests
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
    public void Silos_on_several_machines_may_not_advertise_loopback()
    {
        var settings = new ClusterSettings { Provider = "postgres", ConnectionString = "Host=db", ListenOnAnyAddress = true };
        var error = Assert.Throws<InvalidOperationException>(settings.Validate);
        Assert.Equal("Alerts:Cluster:AdvertisedAddress 127.0.0.1 is a loopback address but Alerts:Cluster:ListenOnAnyAddress is true: give the address other machines reach this silo at.", error.Message);
        settings.AdvertisedAddress = "10.0.0.5";
        settings.Validate();
    }

    [Fact]
    public void A_cluster_left_with_the_sqlite_connection_string_is_refused_naming_the_setting()
    {
        var settings = new ClusterSettings { Provider = "postgres" };
        var error = Assert.Throws<InvalidOperationException>(settings.Validate);
        Assert.StartsWith("Alerts:Cluster:ConnectionString is not a PostgreSQL connection string (", error.Message);
        Assert.Contains("give one for the postgres provider", error.Message);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:17:05")]
    public void A_connection_wait_npgsql_cannot_take_is_refused_naming_the_setting(string wait)
    {
        var settings = new ClusterSettings { Provider = "postgres", ConnectionString = "Host=db", ConnectionWait = TimeSpan.Parse(wait, System.Globalization.CultureInfo.InvariantCulture) };
        var error = Assert.Throws<InvalidOperationException>(settings.Validate);
        Assert.StartsWith("Alerts:Cluster:ConnectionWait ", error.Message);
        settings.ConnectionWait = TimeSpan.FromSeconds(1024);
        settings.Validate();
    }
}
