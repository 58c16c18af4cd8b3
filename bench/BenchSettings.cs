using System.Globalization;
using Alerts.GrainInterfaces;
using Alerts.Grains;

namespace Alerts.Bench;

/// <summary>The settings every benchmark silo shares: one client credential with both roles, a signing key made for this run, no dashboard.</summary>
public static class BenchSettings
{
    /// <summary>The secret of the benchmarks' clients.</summary>
    public const string Secret = "bench-s3cret-of-the-bench";

    /// <summary>The credential the benchmarks' clients sign in with.</summary>
    public const string Credential = "bench:" + Secret;

    /// <summary>The second admin's credential: approves the cases the bench client files (the two-person rule).</summary>
    public const string ApproverCredential = "bench-approver:" + Secret;

    private static readonly Lazy<string> Hash = new(() => CredentialHash.Create(Secret));
    private static readonly Lazy<string> Key = new(SecurityOptions.NewSigningKey);
    private static readonly Lazy<string> ShareKey = new(SecurityOptions.NewSigningKey);

    /// <summary>Cluster, security and logging settings for a silo on <paramref name="provider"/> (ports not included).</summary>
    public static Dictionary<string, string?> For(string provider, string connectionString, string clusterId) => WithOverrides(new()
    {
        ["Alerts:Cluster:Provider"] = provider,
        ["Alerts:Cluster:ConnectionString"] = connectionString,
        ["Alerts:Cluster:ClusterId"] = clusterId,
        ["Alerts:Cluster:Dashboard"] = "false",
        ["Alerts:Security:SigningKey"] = Key.Value,
        ["Alerts:Engagement:ShareKey"] = ShareKey.Value,
        ["Alerts:Security:Clients:0:Name"] = "bench",
        ["Alerts:Security:Clients:0:SecretHash"] = Hash.Value,
        ["Alerts:Security:Clients:0:Roles:0"] = Roles.Gateway,
        ["Alerts:Security:Clients:0:Roles:1"] = Roles.Admin,
        ["Alerts:Security:Clients:1:Name"] = "bench-approver",
        ["Alerts:Security:Clients:1:SecretHash"] = Hash.Value,
        ["Alerts:Security:Clients:1:Roles:0"] = Roles.Admin,
        // The fatigue limit stays at the product's default: each benchmark dispatches one case to its population, so
        // the check runs (it finds no other live case) and holds nobody back.
    });

    /// <summary>Prefix of environment variables that override a product setting for one run: <c>ALERTS_BENCH_Alerts__CellPrecision=4</c>.</summary>
    public const string OverridePrefix = "ALERTS_BENCH_";

    /// <summary>The settings this run overrides (see <see cref="OverridePrefix"/>), by configuration key.</summary>
    public static SortedDictionary<string, string?> Overrides()
    {
        var overrides = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if (name.StartsWith(OverridePrefix, StringComparison.Ordinal))
                overrides[name[OverridePrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = (string?)variable.Value;
        }

        return overrides;
    }

    // Lets a run try another setting (cell size, step size) without a rebuild; the comparison report names it.
    private static Dictionary<string, string?> WithOverrides(Dictionary<string, string?> settings)
    {
        foreach (var (key, value) in Overrides()) settings[key] = value;
        return settings;
    }

    /// <summary>A cluster id of its own for one run.</summary>
    public static string NewClusterId() => "bench-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A port as a setting value.</summary>
    public static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
