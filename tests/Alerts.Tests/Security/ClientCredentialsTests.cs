using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>
/// Credentials made and revoked through <see cref="IClientCredentialsGrain"/> by real clients of a real silo, on both
/// engines: they sign in with their roles, only hashes are stored, revocation stops sign-in, and only operators may manage them.
/// </summary>
public sealed class ClientCredentialsTests
{
    private const string Refusal = "unknown client name or wrong secret";

    /// <summary>A silo with the tester (gateway, admin) and "ops" (operator) configured, both with ProcessSettings.Secret.</summary>
    private static Task<AlertsSilo> StartAsync(string provider) => AlertsSilo.StartAsync(StorageKind.Fresh(provider), settings: Settings);

    // A configured operator, "ops", beside the test silo's own clients.
    private static Dictionary<string, string?> Settings => new()
    {
        ["Alerts:Security:Clients:1:Name"] = "ops",
        ["Alerts:Security:Clients:1:SecretHash"] = ProcessSettings.TesterHash,
        ["Alerts:Security:Clients:1:Roles:0"] = Roles.Operator,
    };

    private static Task<AlertsClient> ConnectAsync(AlertsSilo silo, string credential) => AlertsClient.ConnectAsync(new AlertsClientOptions
    {
        ClusterId = silo.Cluster.ClusterId,
        Gateways = [$"127.0.0.1:{silo.Cluster.GatewayPort}"],
        Credential = credential,
        ConnectAttempts = 1,
    });

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_created_credential_signs_in_with_its_roles_and_only_its_hash_is_stored(string provider)
    {
        await using var silo = await StartAsync(provider);
        await using var ops = await ConnectAsync(silo, $"ops:{ProcessSettings.Secret}");

        var issued = await ops.GetGrain<IClientCredentialsGrain>(0).Create("gateway-1", [Roles.Gateway]);

        Assert.Equal("gateway-1", issued.Name);
        Assert.Equal([Roles.Gateway], issued.Roles);
        Assert.Equal($"gateway-1:{issued.Secret}", issued.Credential);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", issued.Secret); // 32 bytes, base64url, no padding
        await using (var gateway = await ConnectAsync(silo, issued.Credential))
        {
            Assert.Equal(0, (await gateway.GetGrain<IResidencyGrain>(0).Report([])).Applied);
            var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => gateway.GetGrain<IClientCredentialsGrain>(0).List());
            Assert.Equal("role gateway may not call alerts.client-credentials.List; needs operator", refused.Message);
        }

        await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        var row = await connection.QuerySingleAsync<(string Hash, string Roles)>("SELECT secret_hash, roles FROM client_credentials WHERE name = 'gateway-1'");
        Assert.StartsWith("pbkdf2-sha256$", row.Hash);
        Assert.DoesNotContain(issued.Secret, row.Hash);
        Assert.True(CredentialHash.Verify(issued.Secret, row.Hash));
        Assert.Equal(Roles.Gateway, row.Roles);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_revoked_credential_is_refused_like_a_wrong_secret_and_its_name_can_be_created_again(string provider)
    {
        await using var silo = await StartAsync(provider);
        await using var ops = await ConnectAsync(silo, $"ops:{ProcessSettings.Secret}");
        var credentials = ops.GetGrain<IClientCredentialsGrain>(0);
        var signIn = ops.GetGrain<ISignInGrain>(0);
        var first = await credentials.Create("console-2", [Roles.Admin, Roles.Operator]);
        await using var holder = await ConnectAsync(silo, first.Credential);
        var wrongSecret = await Assert.ThrowsAsync<AccessDeniedException>(() => signIn.SignIn("console-2", "guess"));
        Assert.Equal(Refusal, wrongSecret.Message);

        silo.Time.Advance(TimeSpan.FromMinutes(5));
        var revokedAt = silo.Time.GetUtcNow(); // five minutes on, or a millisecond more if a timer fired at the end
        var revoked = await credentials.Revoke("console-2");
        Assert.Equal(new DateTimeOffset?(AlertsSilo.Epoch), revoked.CreatedAt);
        Assert.Equal(revokedAt, revoked.RevokedAt);
        Assert.Equal([Roles.Admin, Roles.Operator], revoked.Roles);
        silo.Time.Advance(TimeSpan.FromMinutes(5));
        var again = await credentials.Revoke("console-2"); // idempotent: the first revocation stands
        Assert.Equal((revoked.Name, revoked.Source, revoked.CreatedAt, revoked.RevokedAt), (again.Name, again.Source, again.CreatedAt, again.RevokedAt));

        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => signIn.SignIn("console-2", first.Secret));
        Assert.Equal(wrongSecret.Message, refused.Message);
        // A token issued before the revocation is refused from the revoking silo's next call on.
        var cutOff = await Assert.ThrowsAsync<TokenRefusedException>(() => holder.GetGrain<IClientCredentialsGrain>(0).List());
        Assert.Contains("credential console-2 was revoked", cutOff.Message);

        var recreatedAt = silo.Time.GetUtcNow();
        var second = await credentials.Create("console-2", [Roles.Gateway]);
        Assert.NotEqual(first.Secret, second.Secret);
        Assert.Equal([Roles.Gateway], (await signIn.SignIn("console-2", second.Secret)).Roles);
        Assert.Equal(Refusal, (await Assert.ThrowsAsync<AccessDeniedException>(() => signIn.SignIn("console-2", first.Secret))).Message);
        var listed = Assert.Single(await credentials.List(), c => c.Name == "console-2");
        Assert.Null(listed.RevokedAt);
        Assert.Equal(recreatedAt, listed.CreatedAt);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_revocation_made_on_another_silo_cuts_off_tokens_here_at_the_next_read_of_the_table(string provider)
    {
        await using var silo = await StartAsync(provider);
        await using var ops = await ConnectAsync(silo, $"ops:{ProcessSettings.Secret}");
        var issued = await ops.GetGrain<IClientCredentialsGrain>(0).Create("gateway-7", [Roles.Gateway]);
        await using var gateway = await ConnectAsync(silo, issued.Credential);
        Assert.Equal(0, (await gateway.GetGrain<IResidencyGrain>(0).Report([])).Applied);

        // Another silo revokes it: only the table changes.
        await using (var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync())
            await connection.ExecuteAsync("UPDATE client_credentials SET revoked_ms = 1 WHERE name = 'gateway-7'");
        await silo.Services.GetRequiredService<RevokedCredentials>().RefreshAsync();

        var refused = await Assert.ThrowsAsync<TokenRefusedException>(() => gateway.GetGrain<IResidencyGrain>(0).Report([]));
        Assert.Contains("credential gateway-7 was revoked", refused.Message);
        Assert.NotEmpty(await ops.GetGrain<IClientCredentialsGrain>(0).List()); // others' tokens are untouched
    }

    [Fact]
    public async Task A_silo_knows_the_revocations_made_before_it_started_before_its_first_call()
    {
        var store = StorageKind.Fresh("sqlite");
        await using (var first = await AlertsSilo.StartAsync(store, settings: Settings))
        {
            await using var ops = await ConnectAsync(first, $"ops:{ProcessSettings.Secret}");
            await ops.GetGrain<IClientCredentialsGrain>(0).Create("gateway-8", [Roles.Gateway]);
            await ops.GetGrain<IClientCredentialsGrain>(0).Revoke("gateway-8");
        }

        // The silo's clock never moves, so no periodic read has run: the list was read as the silo started.
        await using var second = await AlertsSilo.StartAsync(store, settings: Settings);
        Assert.StartsWith("credential gateway-8 was revoked", second.Services.GetRequiredService<RevokedCredentials>().Refusal("gateway-8", AlertsSilo.Epoch, null));
    }

    [Fact]
    public async Task Tokens_issued_before_a_credential_was_made_again_are_refused_and_configured_ones_only_once_their_settings_changed()
    {
        await using var engine = StoreEngine.For("sqlite", StorageKind.Fresh("sqlite").ConnectionString);
        await new ProductSchema(engine).EnsureAsync(5);
        var options = Microsoft.Extensions.Options.Options.Create(new SecurityOptions { Clients = [new ClientCredential { Name = "ops", SecretHash = ProcessSettings.TesterHash, Roles = [Roles.Operator] }] });
        var revoked = new RevokedCredentials(new CredentialStore(engine), options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<RevokedCredentials>.Instance);
        var madeAgain = AlertsSilo.Epoch.AddMinutes(10).AddMilliseconds(400);
        var consoleHash = CredentialHash.Create("x-secret-of-16-chars");
        var console = TokenIssuer.Fingerprint(consoleHash, [Roles.Admin]);
        var ops = TokenIssuer.Fingerprint(ProcessSettings.TesterHash, [Roles.Operator]);
        revoked.Changed(new StoredCredential("console-2", consoleHash, [Roles.Admin], madeAgain, null));
        revoked.Changed(new StoredCredential("ops", consoleHash, [Roles.Admin], madeAgain, madeAgain));

        Assert.Contains("made again", revoked.Refusal("console-2", madeAgain.AddSeconds(-1), console));
        Assert.Null(revoked.Refusal("console-2", AlertsSilo.Epoch.AddMinutes(10), console)); // the same whole second: its own token
        Assert.Null(revoked.Refusal("console-2", madeAgain.AddMinutes(1), console));
        // The same second, but issued for the credential it replaced (another secret or other roles).
        Assert.Contains("made again", revoked.Refusal("console-2", AlertsSilo.Epoch.AddMinutes(10), TokenIssuer.Fingerprint(consoleHash, [Roles.Gateway])));
        Assert.Null(revoked.Refusal("ops", AlertsSilo.Epoch, ops)); // configured: not the table's to refuse
        Assert.Contains("changed in the settings", revoked.Refusal("ops", AlertsSilo.Epoch, console));
        // Issued before silos named the credential in tokens (an upgrade): judged as before, so clients are not all refused.
        Assert.Null(revoked.Refusal("ops", AlertsSilo.Epoch, null));
        Assert.Null(revoked.Refusal("console-2", madeAgain.AddMinutes(1), null));
        Assert.Contains("made again", revoked.Refusal("console-2", madeAgain.AddSeconds(-1), null));
        Assert.Equal("credential someone-else no longer exists", revoked.Refusal("someone-else", AlertsSilo.Epoch, console));

        // A read of the table that began before a revocation on this silo (it still shows the credential active) does
        // not undo it; a later creation in the table does supersede an earlier revocation.
        var store = new CredentialStore(engine);
        var gatewayHash = CredentialHash.Create("x-secret-of-16-chars");
        Assert.True(await store.TryCreateAsync("gateway-3", gatewayHash, [Roles.Gateway], AlertsSilo.Epoch));
        revoked.Changed(new StoredCredential("gateway-3", gatewayHash, [Roles.Gateway], AlertsSilo.Epoch, AlertsSilo.Epoch.AddMinutes(1)));
        await revoked.RefreshAsync();
        Assert.Contains("was revoked", revoked.Refusal("gateway-3", AlertsSilo.Epoch.AddMinutes(2), TokenIssuer.Fingerprint(gatewayHash, [Roles.Gateway])));
        revoked.Changed(new StoredCredential("console-2", consoleHash, [Roles.Admin], madeAgain, madeAgain.AddMinutes(1)));
        await revoked.RefreshAsync(); // the table has no console-2 at all: nothing to merge, the revocation stands
        Assert.Contains("was revoked", revoked.Refusal("console-2", madeAgain.AddSeconds(30), console));

        // Made on another silo since the last read: a token issued after what this silo knows has the row read at once.
        var laterHash = CredentialHash.Create("y-secret-of-16-chars");
        Assert.True(await store.TryCreateAsync("gateway-9", laterHash, [Roles.Gateway], AlertsSilo.Epoch.AddMinutes(3)));
        var later = TokenIssuer.Fingerprint(laterHash, [Roles.Gateway]);
        Assert.Contains("no longer exists", revoked.Refusal("gateway-9", AlertsSilo.Epoch.AddMinutes(4), later));
        Assert.Null(await revoked.RefusalAsync("gateway-9", AlertsSilo.Epoch.AddMinutes(4), later));
        Assert.Contains("made again", await revoked.RefusalAsync("gateway-9", AlertsSilo.Epoch.AddMinutes(4), console));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_name_no_credential_can_have_is_refused_like_any_unknown_name_on_both_engines(string provider)
    {
        // PostgreSQL refuses a NUL in text: looked up, such a name became "storage failed" for anyone who sent it.
        await using var silo = await StartAsync(provider);
        var signIn = silo.Grains.GetGrain<ISignInGrain>(0);
        foreach (var name in new[] { "gate\0way", new string('n', 100_000), "a b" })
            Assert.Equal(Refusal, (await Assert.ThrowsAsync<AccessDeniedException>(() => signIn.SignIn(name, "guess"))).Message);
        await using var ops = await ConnectAsync(silo, $"ops:{ProcessSettings.Secret}");
        Assert.Equal("no credential named gate\0way", (await Assert.ThrowsAsync<KeyNotFoundException>(() => ops.GetGrain<IClientCredentialsGrain>(0).Revoke("gate\0way"))).Message);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task List_shows_stored_and_configured_credentials_and_never_a_secret(string provider)
    {
        await using var silo = await StartAsync(provider);
        await using var ops = await ConnectAsync(silo, $"ops:{ProcessSettings.Secret}");
        var credentials = ops.GetGrain<IClientCredentialsGrain>(0);
        var kept = await credentials.Create("b-gateway", [Roles.Gateway]);
        await credentials.Create("a-admin", [Roles.Admin]);
        await credentials.Revoke("a-admin");

        var all = await credentials.List();

        // The embedded silo made its own operator credential at start (see OperatorCredentialBootstrapTests); a cluster silo does not.
        var bootstrapped = all.Where(c => c.Name == "operator").ToList();
        Assert.Equal(provider == "sqlite" ? [("stored", "operator,admin")] : [], bootstrapped.Select(c => (c.Source, string.Join(',', c.Roles))));
        var listed = all.Except(bootstrapped).ToList();
        Assert.Equal(["a-admin", "b-gateway", "ops", "tester"], listed.Select(c => c.Name));
        Assert.Equal(["stored", "stored", "configured", "configured"], listed.Select(c => c.Source));
        Assert.Equal(AlertsSilo.Epoch, listed[0].RevokedAt);
        Assert.Null(listed[1].RevokedAt);
        Assert.Equal(AlertsSilo.Epoch, listed[1].CreatedAt);
        Assert.Equal([Roles.Gateway, Roles.Admin], listed[3].Roles);
        Assert.Null(listed[3].CreatedAt);
        // Nothing else travels: no property could carry a secret or a hash.
        Assert.Equal(["Name", "Roles", "Source", "CreatedAt", "RevokedAt"], typeof(CredentialInfo).GetProperties().Select(p => p.Name));
        Assert.DoesNotContain(listed, c => c.ToString().Contains(kept.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_names_roles_and_existing_or_unknown_names_are_refused_with_their_reason()
    {
        await using var silo = await StartAsync("sqlite");
        await using var ops = await ConnectAsync(silo, $"ops:{ProcessSettings.Secret}");
        var credentials = ops.GetGrain<IClientCredentialsGrain>(0);
        const string pattern = "use 1-64 letters, digits, '.', '_' or '-'";
        var tooLong = new string('x', 65);

        foreach (var name in new[] { "", "a b", "a:b", "gåte", "gw\n", tooLong })
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => credentials.Create(name, [Roles.Gateway]));
            Assert.Equal($"name '{name}' is invalid: {pattern}", error.Message);
        }

        // The audit log names the system's own actions "silo": no client may be mistaken for it.
        foreach (var name in new[] { "silo", "SILO" })
            Assert.Equal($"name '{name}' is reserved: the audit log names the system itself so",
                (await Assert.ThrowsAsync<ArgumentException>(() => credentials.Create(name, [Roles.Approver]))).Message);

        Assert.Equal(new string('y', 64), (await credentials.Create(new string('y', 64), [Roles.Gateway])).Name);
        Assert.Equal("roles is empty: give one or more of gateway, liaison, approver, viewer, admin, operator",
            (await Assert.ThrowsAsync<ArgumentException>(() => credentials.Create("gw-2", []))).Message);
        Assert.Equal("roles contains 'root', which is not a role: give one or more of gateway, liaison, approver, viewer, admin, operator",
            (await Assert.ThrowsAsync<ArgumentException>(() => credentials.Create("gw-2", [Roles.Gateway, "root"]))).Message);

        await credentials.Create("gateway-1", [Roles.Gateway]);
        Assert.Equal("credential gateway-1 already exists", (await Assert.ThrowsAsync<WrongStateException>(() => credentials.Create("gateway-1", [Roles.Admin]))).Message);
        Assert.Equal("credential tester already exists", (await Assert.ThrowsAsync<WrongStateException>(() => credentials.Create("tester", [Roles.Admin]))).Message);
        Assert.Equal("no credential named x", (await Assert.ThrowsAsync<KeyNotFoundException>(() => credentials.Revoke("x"))).Message);
        foreach (var missing in new[] { null, "" })
            Assert.Contains("(Parameter 'name')", (await Assert.ThrowsAnyAsync<ArgumentException>(() => credentials.Revoke(missing!))).Message);
        var configured = await Assert.ThrowsAsync<WrongStateException>(() => credentials.Revoke("tester"));
        Assert.Contains("credential tester is configured in settings", configured.Message);
        Assert.Contains("remove it there", configured.Message);
        Assert.Equal(["gateway-1", "operator", "ops", "tester", new string('y', 64)], (await credentials.List()).Select(c => c.Name));
    }

    [Fact]
    public async Task Only_operators_may_manage_credentials()
    {
        await using var silo = await StartAsync("sqlite");
        await using var tester = await ConnectAsync(silo, ProcessSettings.Credential); // gateway and admin
        var denied = tester.GetGrain<IClientCredentialsGrain>(0);
        foreach (var (method, call) in new (string, Func<Task>)[] { ("Create", () => denied.Create("x", [Roles.Gateway])), ("Revoke", () => denied.Revoke("x")), ("List", () => denied.List()) })
        {
            var refused = await Assert.ThrowsAsync<AccessDeniedException>(call);
            Assert.Equal($"role gateway, admin may not call alerts.client-credentials.{method}; needs operator", refused.Message);
        }

        await using var ops = await ConnectAsync(silo, $"ops:{ProcessSettings.Secret}");
        Assert.Equal("x", (await ops.GetGrain<IClientCredentialsGrain>(0).Create("x", [Roles.Gateway])).Name);
    }
}
