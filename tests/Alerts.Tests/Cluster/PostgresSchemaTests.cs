using System.Net;
using System.Net.Sockets;
using Alerts.TestSupport;
using Alerts.Silo;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Messaging;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Alerts.Tests;

/// <summary>The Orleans PostgreSQL schema: install, re-install, version checks, and the real ADO.NET providers running on it.</summary>
public sealed class PostgresSchemaTests
{
    [Fact]
    public async Task Check_on_an_empty_database_asks_for_migrate()
    {
        var db = PostgresServer.Instance.CreateDatabase();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.CheckAsync(db));

        Assert.Contains("has no Orleans schema", error.Message);
        Assert.Contains("dotnet run --project Silo -- migrate", error.Message);
    }

    [Fact]
    public async Task Apply_then_check_passes_and_records_the_version()
    {
        var db = PostgresServer.Instance.CreateDatabase();

        await PostgresSchema.ApplyAsync(db);
        await PostgresSchema.CheckAsync(db);

        await using var connection = new NpgsqlConnection(db);
        Assert.Equal(PostgresSchema.Version, await connection.ExecuteScalarAsync<int>("SELECT version FROM alerts_schema WHERE component = 'orleans'"));
    }

    [Fact]
    public async Task Apply_twice_is_idempotent()
    {
        var db = PostgresServer.Instance.CreateDatabase();
        await PostgresSchema.ApplyAsync(db);
        var before = await SnapshotAsync(db);

        await PostgresSchema.ApplyAsync(db);

        var after = await SnapshotAsync(db);
        Assert.Equal(20, before.Queries.Count);
        Assert.Equal(before.Queries, after.Queries);
        Assert.Equal(before.Objects, after.Objects);
        Assert.Equal(before.Versions, after.Versions);
        // Unchanged query texts are not even rewritten (their row versions stay put).
        Assert.Equal(before.RowVersions, after.RowVersions);
        await PostgresSchema.CheckAsync(db);
    }

    [Fact]
    public async Task Concurrent_applies_do_not_collide()
    {
        var db = PostgresServer.Instance.CreateDatabase();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgresSchema.ApplyAsync(db))));

        await PostgresSchema.CheckAsync(db);
    }

    [Fact]
    public async Task Check_fails_on_an_older_version_and_apply_upgrades_it()
    {
        var db = PostgresServer.Instance.CreateDatabase();
        await PostgresSchema.ApplyAsync(db);
        await using (var connection = new NpgsqlConnection(db))
            await connection.ExecuteAsync("UPDATE alerts_schema SET version = 0 WHERE component = 'orleans'");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.CheckAsync(db));
        Assert.Contains("version 0", error.Message);
        Assert.Contains($"needs version {PostgresSchema.Version}", error.Message);
        Assert.Contains("dotnet run --project Silo -- migrate", error.Message);

        await PostgresSchema.ApplyAsync(db);
        await PostgresSchema.CheckAsync(db);
    }

    [Fact]
    public async Task Apply_refuses_to_downgrade_a_newer_schema()
    {
        var db = PostgresServer.Instance.CreateDatabase();
        await PostgresSchema.ApplyAsync(db);
        await using (var connection = new NpgsqlConnection(db))
            await connection.ExecuteAsync("UPDATE alerts_schema SET version = @v WHERE component = 'orleans'", new { v = PostgresSchema.Version + 1 });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.ApplyAsync(db));
        Assert.Contains("refusing to downgrade", error.Message);
        await PostgresSchema.CheckAsync(db); // a newer schema is acceptable at start-up
    }

    [Fact]
    public async Task Check_names_missing_query_keys()
    {
        var db = PostgresServer.Instance.CreateDatabase();
        await PostgresSchema.ApplyAsync(db);
        await using (var connection = new NpgsqlConnection(db))
            await connection.ExecuteAsync("DELETE FROM OrleansQuery WHERE QueryKey = 'GatewaysQueryKey'");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.CheckAsync(db));
        Assert.Contains("GatewaysQueryKey", error.Message);
        Assert.Contains("migrate", error.Message);
    }

    [Fact]
    public async Task Check_reports_an_unreachable_server_without_the_password()
    {
        // A port that was free a moment ago: nothing listens there, so the connection is refused at once.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var connectionString = $"Host=127.0.0.1;Port={port};Database=alerts_nowhere;Username=alerts;Password=s3cret-pw;Timeout=5";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.CheckAsync(connectionString));

        Assert.Contains($"127.0.0.1:{port}/alerts_nowhere", error.Message);
        Assert.DoesNotContain("s3cret-pw", error.Message);
        Assert.DoesNotContain("s3cret-pw", error.ToString());
    }

    [Fact]
    public async Task Orleans_providers_run_on_the_schema()
    {
        var db = PostgresServer.Instance.CreateDatabase();
        await PostgresSchema.ApplyAsync(db);

        var builder = new TestClusterBuilder(2);
        builder.Options.UseTestClusterMembership = false; // membership and gateways come from PostgreSQL
        builder.Options.ConfigureFileLogging = false;
        builder.Properties[PostgresConfigurator.Key] = db;
        builder.AddSiloBuilderConfigurator<PostgresConfigurator>();
        builder.AddClientBuilderConfigurator<PostgresConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            var clusterId = cluster.Options.ClusterId;
            await using var connection = new NpgsqlConnection(db);

            // Membership: both silos Active in the table, and the client's gateway list (GatewaysQueryKey) has both.
            Assert.Equal(2, await connection.ExecuteScalarAsync<int>(
                "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @clusterId AND Status = 3", new { clusterId }));
            var gateways = await cluster.Client.ServiceProvider.GetRequiredService<IGatewayListProvider>().GetGateways();
            Assert.Equal(2, gateways.Count);
            Assert.Equal(
                cluster.Silos.Select(s => s.GatewayAddress!.Endpoint.Port).Order(),
                gateways.Select(g => g.Port).Order());

            // Persistence: a write survives deactivation and is read back by a new activation.
            var grain = cluster.Client.GetGrain<ISchemaProbeGrain>(Guid.NewGuid());
            var firstActivation = await grain.Write("hello");
            Assert.Equal("1", await grain.ETag());
            await grain.Deactivate();
            var (value, etag, secondActivation) = await grain.Read();
            Assert.NotEqual(firstActivation, secondActivation);
            Assert.Equal("hello", value);
            Assert.Equal("1", etag);
            await grain.Write("second");
            Assert.Equal("2", await grain.ETag());

            // Another writer gets in first: the grain's ETag is stale and its write must be refused.
            await connection.ExecuteAsync("UPDATE OrleansStorage SET Version = Version + 1");
            await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Write("stale"));

            // Clearing keeps the row (payload NULL) and bumps the ETag; writing afterwards works.
            var cleared = cluster.Client.GetGrain<ISchemaProbeGrain>(Guid.NewGuid());
            await cleared.Write("to be cleared");
            await cleared.Clear();
            Assert.Equal("2", await cleared.ETag());
            await cleared.Write("after clear");
            Assert.Equal("3", await cleared.ETag());

            // Reminders: registered, listed, unregistered.
            var reminders = cluster.Client.GetGrain<ISchemaProbeGrain>(Guid.NewGuid());
            await reminders.Remind("nightly");
            Assert.Equal(["nightly"], await reminders.Reminders());
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM OrleansRemindersTable"));
            await reminders.Remind("nightly"); // re-registering bumps the row's version
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT Version FROM OrleansRemindersTable"));
            await reminders.Forget("nightly");
            Assert.Empty(await reminders.Reminders());
            Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM OrleansRemindersTable"));

            // Housekeeping queries, through the silo's own membership table provider once the silos are down.
            var membership = cluster.GetSiloServiceProvider().GetRequiredService<IMembershipTable>();
            await cluster.StopAllSilosAsync();
            Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
                "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @clusterId AND Status = 3", new { clusterId }));
            Assert.Equal(2, await connection.ExecuteScalarAsync<int>(
                "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @clusterId AND Status = 6", new { clusterId }));
            await membership.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
            Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
                "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @clusterId", new { clusterId }));
            await membership.DeleteMembershipTableEntriesAsync(clusterId, CancellationToken.None);
            Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
                "SELECT count(*) FROM OrleansMembershipVersionTable WHERE DeploymentId = @clusterId", new { clusterId }));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private sealed record Snapshot(
        Dictionary<string, string> Queries, List<string> Objects, Dictionary<string, int> Versions, Dictionary<string, string> RowVersions);

    // Everything the script creates: query texts, schema objects with their definitions, versions, and the
    // OrleansQuery rows' xmin (which changes whenever a row is rewritten).
    private static async Task<Snapshot> SnapshotAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db);
        var queries = (await connection.QueryAsync<(string Key, string Text)>("SELECT QueryKey, QueryText FROM OrleansQuery"))
            .ToDictionary(r => r.Key, r => r.Text);
        var rowVersions = (await connection.QueryAsync<(string Key, string Xmin)>("SELECT QueryKey, xmin::text FROM OrleansQuery"))
            .ToDictionary(r => r.Key, r => r.Xmin);
        var objects = (await connection.QueryAsync<string>("""
            SELECT c.relkind::text || ' ' || c.relname || ' ' || coalesce(pg_get_indexdef(c.oid), '')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public'
            UNION ALL
            SELECT 'f ' || p.proname || ' ' || pg_get_functiondef(p.oid)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public'
            ORDER BY 1
            """)).ToList();
        var versions = (await connection.QueryAsync<(string Component, int Version)>("SELECT component, version FROM alerts_schema"))
            .ToDictionary(r => r.Component, r => r.Version);
        return new Snapshot(queries, objects, versions, rowVersions);
    }
}

/// <summary>Points silos and the client of the test cluster at the PostgreSQL database under test.</summary>
public sealed class PostgresConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    /// <summary>Test cluster property holding the connection string.</summary>
    public const string Key = "AlertsTestPostgres";

    /// <inheritdoc />
    public void Configure(ISiloBuilder siloBuilder)
    {
        var connectionString = siloBuilder.Configuration[Key]!;
        siloBuilder
            .UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; })
            .AddAdoNetGrainStorage("pg", o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; })
            .UseAdoNetReminderService(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; });
    }

    /// <inheritdoc />
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
    {
        var connectionString = configuration[Key]!;
        clientBuilder.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; });
    }
}

/// <summary>Grain exercising persistence and reminders on the schema.</summary>
public interface ISchemaProbeGrain : IGrainWithGuidKey
{
    /// <summary>Writes the state; returns this activation's id.</summary>
    Task<Guid> Write(string value);

    /// <summary>Returns the state, its ETag and this activation's id.</summary>
    Task<(string? Value, string? ETag, Guid Activation)> Read();

    /// <summary>The current ETag.</summary>
    Task<string?> ETag();

    /// <summary>Clears the state.</summary>
    Task Clear();

    /// <summary>Deactivates after this call.</summary>
    Task Deactivate();

    /// <summary>Registers (or re-registers) a reminder far in the future.</summary>
    Task Remind(string name);

    /// <summary>Names of this grain's reminders.</summary>
    Task<string[]> Reminders();

    /// <summary>Unregisters a reminder.</summary>
    Task Forget(string name);
}

/// <summary>State of <see cref="SchemaProbeGrain"/>.</summary>
[GenerateSerializer]
public sealed class SchemaProbeState
{
    /// <summary>The stored value.</summary>
    [Id(0)] public string? Value { get; set; }
}

/// <summary>Implementation of <see cref="ISchemaProbeGrain"/> on the "pg" ADO.NET storage.</summary>
public sealed class SchemaProbeGrain([PersistentState("probe", "pg")] IPersistentState<SchemaProbeState> state) : Grain, ISchemaProbeGrain, IRemindable
{
    private readonly Guid _activation = Guid.NewGuid();

    /// <inheritdoc />
    public async Task<Guid> Write(string value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
        return _activation;
    }

    /// <inheritdoc />
    public Task<(string? Value, string? ETag, Guid Activation)> Read() => Task.FromResult((state.State.Value, state.Etag, _activation));

    /// <inheritdoc />
    public Task<string?> ETag() => Task.FromResult(state.Etag);

    /// <inheritdoc />
    public Task Clear() => state.ClearStateAsync();

    /// <inheritdoc />
    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task Remind(string name) => this.RegisterOrUpdateReminder(name, TimeSpan.FromHours(1), TimeSpan.FromHours(1));

    /// <inheritdoc />
    public async Task<string[]> Reminders() => (await this.GetReminders()).Select(r => r.ReminderName).ToArray();

    /// <inheritdoc />
    public async Task Forget(string name)
    {
        var reminder = await this.GetReminder(name) ?? throw new InvalidOperationException($"no reminder {name}");
        await this.UnregisterReminder(reminder);
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
