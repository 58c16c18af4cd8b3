using System.Security.Cryptography;
using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>Who may sign in and how tokens are signed, bound from configuration section <c>Alerts:Security</c>.</summary>
public sealed class SecurityOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Alerts:Security";

    /// <summary>How an operator makes a signing key; quoted in the error a silo without one stops with.</summary>
    public const string NewSigningKeyCommand = "dotnet run --project Silo -- new-signing-key";

    private const int MinimumKeyBytes = 32;
    private static readonly TimeSpan LongestLifetime = TimeSpan.FromDays(1);

    /// <summary>Base64 of at least 32 random bytes; every silo of a cluster must share it (HMAC-SHA256 key).</summary>
    public string? SigningKey { get; set; }

    /// <summary>How long an issued token is accepted.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often a silo reads which stored credentials were revoked elsewhere (the revoking silo knows at once).</summary>
    public TimeSpan RevocationRefresh { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Secrets a silo checks at once (each check takes tens of milliseconds of a core; see <see cref="SignInLimit"/>).</summary>
    public int MaxConcurrentSignIns { get; set; } = 1;

    /// <summary>Sign-ins that may wait for a check; beyond them a sign-in is refused at once as busy.</summary>
    public int MaxWaitingSignIns { get; set; } = 32;

    /// <summary>The clients that may sign in.</summary>
    public List<ClientCredential> Clients { get; set; } = [];

    /// <summary>A fresh random signing key in the form <see cref="SigningKey"/> expects.</summary>
    public static string NewSigningKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinimumKeyBytes));

    /// <summary>The decoded signing key; call after <see cref="Validate"/>.</summary>
    public byte[] SigningKeyBytes() => Convert.FromBase64String(SigningKey ?? "");

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first bad setting, so a misconfigured silo refuses to start.</summary>
    public void Validate()
    {
        if (KeySetting.Problem(SigningKey, MinimumKeyBytes, "Alerts__Security__SigningKey") is { } problem) throw Bad("SigningKey", problem);

        if (TokenLifetime <= TimeSpan.Zero || TokenLifetime > LongestLifetime)
        {
            throw Bad("TokenLifetime", $"is {TokenLifetime}, must be more than zero and at most {LongestLifetime}");
        }

        if (RevocationRefresh <= TimeSpan.Zero || RevocationRefresh > TokenLifetime)
        {
            throw Bad("RevocationRefresh", $"is {RevocationRefresh}, must be more than zero and at most TokenLifetime ({TokenLifetime})");
        }

        if (MaxConcurrentSignIns < 1 || MaxConcurrentSignIns > Environment.ProcessorCount)
        {
            throw Bad("MaxConcurrentSignIns", $"is {MaxConcurrentSignIns}, must be at least 1 and at most the silo's {Environment.ProcessorCount} cores (more would let sign-ins take every core)");
        }

        if (MaxWaitingSignIns < 0) throw Bad("MaxWaitingSignIns", $"is {MaxWaitingSignIns}, must be 0 or more");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Clients.Count; i++)
        {
            var client = Clients[i];
            var at = $"Clients:{i}";
            if (client is null) throw Bad(at, "is empty");
            if (string.IsNullOrWhiteSpace(client.Name)) throw Bad($"{at}:Name", "is empty");
            if (client.Name.Contains(':')) throw Bad($"{at}:Name", $"'{client.Name}' contains ':', which separates name and secret in a credential");
            if (client.Name.Contains(GatewayNames.Separator))
                throw Bad($"{at}:Name", $"'{client.Name}' contains '{GatewayNames.Separator}', which separates a credential's name from a gateway instance at the push hub");
            if (!names.Add(client.Name)) throw Bad($"{at}:Name", $"'{client.Name}' appears twice");
            if (Caller.IsReserved(client.Name)) throw Bad($"{at}:Name", $"'{client.Name}' is reserved: the audit log names the system itself so");
            if (CredentialHash.Problem(client.SecretHash) is { } hashProblem) throw Bad($"{at}:SecretHash", hashProblem);

            if (client.Roles is not { Length: > 0 }) throw Bad($"{at}:Roles", $"is empty; give one or more of {string.Join(", ", Roles.All)}");
            foreach (var role in client.Roles)
            {
                if (!Roles.All.Contains(role)) throw Bad($"{at}:Roles", $"contains '{role}', not one of {string.Join(", ", Roles.All)}");
            }
        }
    }

    private static InvalidOperationException Bad(string setting, string problem) => new($"{SectionName}:{setting} {problem}.");
}
