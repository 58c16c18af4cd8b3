using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.Silo;
using Alerts.TestSupport;
using Dapper;
using Npgsql;

namespace Alerts.Tests;

/// <summary>
/// A cluster silo runs on a database role that may only read and write rows: `migrate`, run by the tables' owner, makes
/// the schema, and the silo creates and alters nothing, so it cannot lift the audit log's guard either.
/// </summary>
public sealed class LeastPrivilegeTests
{
    [Fact]
    public async Task A_cluster_silo_serves_on_a_role_that_owns_nothing_and_cannot_lift_the_audit_logs_guard()
    {
        var owner = PostgresServer.Instance.CreateDatabase();
        await PostgresSchema.ApplyAsync(owner);
        await using (var engine = StoreEngine.For("postgres", owner)) await new ProductSchema(engine).EnsureAsync(5);
        var role = await RoleAsync(owner, grants: true);
        try
        {
            await ServeAsync(role.ConnectionString);
        }
        finally
        {
            await DropAsync(owner, role.Name);
        }
    }

    [Fact]
    public async Task A_cluster_silo_whose_role_lacks_the_grants_refuses_to_start_naming_them()
    {
        var owner = PostgresServer.Instance.CreateDatabase();
        await PostgresSchema.ApplyAsync(owner);
        await using (var engine = StoreEngine.For("postgres", owner)) await new ProductSchema(engine).EnsureAsync(5);
        var role = await RoleAsync(owner, grants: false);
        try
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(new TestStore("postgres", role.ConnectionString), migrated: true));
            Assert.StartsWith("The silo's database role may not read the product's tables", refused.Message);
            Assert.Contains("grant it SELECT, INSERT, UPDATE and DELETE on them and USAGE on their sequences", refused.Message);
        }
        finally
        {
            await DropAsync(owner, role.Name);
        }
    }

    // A login role with a password (the server may ask for one) that may use the schema and, with grants, read and write
    // every table (else only Orleans'); it owns nothing.
    private static async Task<(string Name, string ConnectionString)> RoleAsync(string owner, bool grants)
    {
        var name = "alerts_app_" + Guid.NewGuid().ToString("N")[..8];
        const string Password = "app-secret";
        await using var connection = new NpgsqlConnection(owner);
        await connection.ExecuteAsync($"CREATE ROLE {name} LOGIN PASSWORD '{Password}'; GRANT USAGE ON SCHEMA public TO {name};");
        if (grants)
        {
            await connection.ExecuteAsync($"""
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name};
                GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name};
                """);
        }
        else
        {
            // Orleans' tables only: membership and grain state work, the product's tables are out of reach.
            await connection.ExecuteAsync($"""
                DO $$ DECLARE t text; BEGIN
                    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND (tablename ILIKE 'orleans%' OR tablename = 'alerts_schema') LOOP
                        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO {name}', t);
                    END LOOP;
                END $$;
                """);
        }

        return (name, new NpgsqlConnectionStringBuilder(owner) { Username = name, Password = Password }.ConnectionString);
    }

    // Roles belong to the whole server: the test's goes with its grants.
    private static async Task DropAsync(string owner, string role)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(owner);
        await connection.ExecuteAsync($"DROP OWNED BY {role}; DROP ROLE {role};");
    }

    private static async Task ServeAsync(string app)
    {
        await using var silo = await AlertsSilo.StartAsync(new TestStore("postgres", app), migrated: true);

        // Positions, a dispatch through its durable steps, the outbox, grain state and the audit log: all rows.
        var (lat, lon, radius) = (22.5431, 114.0579, 20_000.0);
        var residents = Population.Around(7, lat, lon, radius, scatter: 200, AlertsSilo.Epoch);
        Assert.Equal(residents.Count, (await Population.ReportAsync(silo.Grains.GetGrain<IResidencyGrain>(0), residents)).Applied);
        var done = await silo.DispatchAsync("least-privilege", Admins.Case(lat, lon, radius, "Missing: boy, 9, blue cap", "https://alerts.example/c/lp"));
        Assert.Equal(Population.Inside(residents, lat, lon, radius).Count, done.Recipients);

        await using var asApp = new NpgsqlConnection(app);
        Assert.True(await asApp.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log") > 0);
        // The guard holds against the silo's own role: rows cannot be changed, and the trigger cannot be dropped or disabled.
        Assert.Contains("audit_log is append-only", (await Assert.ThrowsAsync<PostgresException>(() => asApp.ExecuteAsync("DELETE FROM audit_log"))).MessageText);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => asApp.ExecuteAsync("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))).SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => asApp.ExecuteAsync("DROP TABLE residents"))).SqlState);
    }

    [Fact]
    public async Task A_cluster_silo_on_a_database_without_the_products_schema_refuses_to_start_naming_migrate()
    {
        var database = PostgresServer.Instance.CreateDatabase();
        await PostgresSchema.ApplyAsync(database);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(new TestStore("postgres", database), migrated: true));
        Assert.StartsWith("The product's tables are missing at ", refused.Message);
        Assert.Contains("migrate", refused.Message);
        // It created nothing on the way.
        await using var connection = new NpgsqlConnection(database);
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('residents')::text"));
    }
}
