using System.CommandLine;
using Alerts.Client;
using Alerts.GrainInterfaces;
using Npgsql;

namespace Alerts.Cli;

/// <summary>Turns the connection options, environment and config file into client options, and connects with clear failures.</summary>
public static class ClusterConnection
{
    /// <summary>
    /// Options first, then environment variables, then the config file, then the embedded defaults. Where the cluster is
    /// (gateways or a membership table) and who signs in (a credential or its file) are each taken whole from the first
    /// of those that names either, and refused when it names both.
    /// </summary>
    public static AlertsClientOptions Resolve(ParseResult parse, ConnectionOptions options)
    {
        var configPath = parse.GetValue(options.Config) ?? Env("ALERTS_CONFIG");
        var file = configPath is null ? new ConsoleConfigFile() : ConsoleConfigFile.Load(configPath);
        var (membership, gateways) = FirstNamed(
            (parse.GetValue(options.Membership), NoneIfEmpty(parse.GetValue(options.Gateways)), "--membership and --gateway"),
            (Env("ALERTS_MEMBERSHIP"), NoneIfEmpty(Env("ALERTS_GATEWAYS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)), "ALERTS_MEMBERSHIP and ALERTS_GATEWAYS"),
            (file.Membership, NoneIfEmpty(file.Gateways?.ToArray()), $"membership and gateways in {configPath}"));
        var client = new AlertsClientOptions
        {
            ClusterId = parse.GetValue(options.ClusterId) ?? Env("ALERTS_CLUSTER_ID") ?? file.ClusterId ?? "alerts",
            ServiceId = parse.GetValue(options.ServiceId) ?? Env("ALERTS_SERVICE_ID") ?? file.ServiceId ?? "alerts",
            MembershipConnectionString = CheckedMembership(membership, parse.GetValue(options.Membership) is not null ? "--membership"
                : Env("ALERTS_MEMBERSHIP") is not null ? "ALERTS_MEMBERSHIP" : $"membership in {configPath}"),
            Credential = ReadCredential(parse, options, file, configPath),
            ConnectAttempts = 3,
        };
        if (gateways is { Length: > 0 }) client.Gateways = [.. gateways];
        foreach (var gateway in client.Gateways)
        {
            if (!System.Net.IPEndPoint.TryParse(gateway, out var endpoint) || endpoint.Port == 0)
                throw new ConsoleFailure(ExitCodes.BadInput, $"gateway '{gateway}' is invalid: use ip:port, e.g. 127.0.0.1:30000");
        }

        return client;
    }

    /// <summary>Connects and signs in; a refused credential and an unreachable cluster are told apart.</summary>
    public static async Task<AlertsClient> ConnectAsync(AlertsClientOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await AlertsClient.ConnectAsync(options, cancellationToken);
        }
        catch (InvalidOperationException e) when (Find<AccessDeniedException>(e) is { } denied)
        {
            throw new ConsoleFailure(ExitCodes.AccessDenied, $"sign-in refused for {CredentialName(options.Credential)}: {denied.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new ConsoleFailure(ExitCodes.Unreachable, e.Message, e);
        }
    }

    private static string ReadCredential(ParseResult parse, ConnectionOptions options, ConsoleConfigFile file, string? configPath)
    {
        var (credential, path) = FirstNamed(
            (parse.GetValue(options.Credential), parse.GetValue(options.CredentialFile), "--credential and --credential-file"),
            (Env("ALERTS_CREDENTIAL"), Env("ALERTS_CREDENTIAL_FILE"), "ALERTS_CREDENTIAL and ALERTS_CREDENTIAL_FILE"),
            (file.Credential, file.CredentialFile, $"credential and credentialFile in {configPath}"));
        if (credential is null && path is null && File.Exists(ConnectionOptions.EmbeddedCredentialFile)) path = ConnectionOptions.EmbeddedCredentialFile;
        if (credential is null && path is not null)
        {
            if (!File.Exists(path)) throw new ConsoleFailure(ExitCodes.BadInput, $"credential file {path} does not exist");
            OwnerOnlyFile.Check(path, "credential file");
            try
            {
                credential = File.ReadAllText(path).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConsoleFailure(ExitCodes.BadInput, $"credential file {path} cannot be read: {e.Message}");
            }
        }

        if (credential is null)
            throw new ConsoleFailure(ExitCodes.BadInput, $"no credential: give --credential name:secret, --credential-file, or ALERTS_CREDENTIAL (the embedded silo writes an operator credential to {ConnectionOptions.EmbeddedCredentialFile})");
        var colon = credential.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == credential.Length - 1)
            throw new ConsoleFailure(ExitCodes.BadInput, "credential is invalid: use name:secret");
        return credential;
    }

    // The first layer that names either of two settings that say one thing: an explicit --gateway is never joined by a
    // membership string from the environment (the client would then read the gateways of another cluster from it), nor an
    // explicit --credential-file beaten by ALERTS_CREDENTIAL.
    private static (TFirst? First, TSecond? Second) FirstNamed<TFirst, TSecond>(params (TFirst? First, TSecond? Second, string Names)[] layers)
        where TFirst : class where TSecond : class
    {
        foreach (var (first, second, names) in layers)
        {
            if (first is null && second is null) continue;
            if (first is not null && second is not null) throw new ConsoleFailure(ExitCodes.BadInput, $"{names} are both given: give one");
            return (first, second);
        }

        return (null, null);
    }

    // Read only once the client starts, a malformed string failed as if the cluster did not answer (exit 6). The message
    // names where it came from, not its text: it may hold a password.
    private static string? CheckedMembership(string? membership, string source)
    {
        if (membership is null) return null;
        try
        {
            _ = new NpgsqlConnectionStringBuilder(membership);
            return membership;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw new ConsoleFailure(ExitCodes.BadInput, $"{source} is not a PostgreSQL connection string ({ConsoleFailure.From(e).Message}): use e.g. Host=db;Username=alerts;Password=…;Database=alerts");
        }
    }

    private static string CredentialName(string credential) => credential[..credential.IndexOf(':', StringComparison.Ordinal)];

    private static string[]? NoneIfEmpty(string[]? gateways) => gateways is { Length: > 0 } ? gateways : null;

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }
}
