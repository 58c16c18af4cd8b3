using Alerts.Silo;
using Alerts.TestSupport;
using Microsoft.Extensions.Configuration;

namespace Alerts.Tests;

/// <summary>A misspelt setting under "Alerts" is refused naming it, instead of leaving the silo on a default.</summary>
public sealed class UnknownSettingsTests
{
    [Theory]
    [InlineData("Alerts:Cluster:Provder", "postgres", "Alerts:Cluster:Provder is not a setting (misspelt?): the settings of Alerts:Cluster are AdvertisedAddress, ClusterId, ConnectionString, ConnectionWait, Dashboard, GatewayPort, ListenOnAnyAddress, MaxPoolSize, Membership, OrleansPoolSize, Provider, ServiceId, SiloPort")]
    [InlineData("Alerts:DispatchRetryDelya", "00:00:02", "Alerts:DispatchRetryDelya is not a setting (misspelt?): the settings of Alerts are AckTimeout,")]
    [InlineData("Alerts:Security:Clients:0:Nmae", "operator", "Alerts:Security:Clients:0:Nmae is not a setting (misspelt?): the settings of Alerts:Security:Clients:0 are Name, Roles, SecretHash")]
    // Orleans' ClusterMembershipOptions, bound as they are: a misspelt one was skipped with the whole section.
    [InlineData("Alerts:Cluster:Membership:ProbeTimout", "00:00:01", "Alerts:Cluster:Membership:ProbeTimout is not a setting (misspelt?): the settings of Alerts:Cluster:Membership are ")]
    [InlineData("Alerts:Engagement:Shard", "4", "Alerts:Engagement:Shard is not a setting (misspelt?): the settings of Alerts:Engagement are ")]
    public void A_misspelt_setting_is_refused_naming_it_and_the_sections_settings(string key, string value, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(new() { [key] = value }));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Every_setting_the_readme_and_the_tests_use_is_known_whatever_its_case()
    {
        var settings = Read(new()
        {
            ["Alerts:CellPrecision"] = "5",
            ["alerts:dispatchRetryDelay"] = "00:00:02",
            ["Alerts:Cluster:Membership:ProbeTimeout"] = "00:00:02",
            ["Alerts:Cluster:Dashboard"] = "false",
            ["Alerts:Security:SigningKey"] = AlertsSilo.SigningKey,
            ["Alerts:Security:Clients:0:Name"] = "operator",
            ["Alerts:Security:Clients:0:SecretHash"] = ProcessSettings.TesterHash,
            ["Alerts:Security:Clients:0:Roles:0"] = "operator",
            ["Alerts:Engagement:Shards"] = "1",
            ["Other:Section"] = "not ours",
        });
        Assert.True(settings.IsEmbedded);
    }

    private static ClusterSettings Read(Dictionary<string, string?> values)
    {
        var folder = ScratchFolder.NewFolder();
        values["Alerts:Cluster:ConnectionString"] = $"Data Source={Path.Combine(folder, "alerts.db")}";
        return SiloHosting.ReadSettings(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), folder);
    }
}
