using Alerts.GrainInterfaces;
using Orleans;

namespace Alerts.Tests;

/// <summary>An admin interface like the real ones, with one method gateways may call too.</summary>
[Alias("alerts-test.admin")]
[RequiresRole(Roles.Admin)]
public interface ITestAdminGrain : IGrainWithStringKey
{
    /// <summary>Admins only (the interface's rule).</summary>
    [Alias("AdminOnly")]
    Task<string> AdminOnly();

    /// <summary>Gateways and admins (the method's rule wins).</summary>
    [RequiresRole(Roles.Gateway, Roles.Admin)]
    [Alias("Shared")]
    Task<string> Shared();

    /// <summary>Calls a [SiloOnly] grain from inside a grain.</summary>
    [Alias("CallSiloOnly")]
    Task<string> CallSiloOnly();

    /// <summary>Fails the way a database driver does.</summary>
    [Alias("FailStorage")]
    Task FailStorage();
}

/// <summary>Only grains may call it.</summary>
[Alias("alerts-test.silo-only")]
[SiloOnly]
public interface ITestSiloOnlyGrain : IGrainWithStringKey
{
    /// <summary>Answers "pong".</summary>
    [Alias("Ping")]
    Task<string> Ping();
}

/// <summary>Carries no Alerts attribute at all: closed to clients by default.</summary>
[Alias("alerts-test.unruled")]
public interface ITestUnruledGrain : IGrainWithStringKey
{
    /// <summary>Answers "open".</summary>
    [Alias("Ping")]
    Task<string> Ping();
}

/// <summary>The admin test grain.</summary>
public sealed class TestAdminGrain : Grain, ITestAdminGrain
{
    /// <inheritdoc />
    public Task<string> AdminOnly() => Task.FromResult("admin ok");

    /// <inheritdoc />
    public Task<string> Shared() => Task.FromResult("shared ok");

    /// <inheritdoc />
    public Task<string> CallSiloOnly() => GrainFactory.GetGrain<ITestSiloOnlyGrain>(this.GetPrimaryKeyString()).Ping();

    /// <inheritdoc />
    public Task FailStorage() => throw new FakeDriver.FakePostgresException("relation \"cases\" does not exist");
}

/// <summary>The silo-only test grain.</summary>
public sealed class TestSiloOnlyGrain : Grain, ITestSiloOnlyGrain
{
    /// <inheritdoc />
    public Task<string> Ping() => Task.FromResult("pong");
}

/// <summary>The unruled test grain.</summary>
public sealed class TestUnruledGrain : Grain, ITestUnruledGrain
{
    /// <inheritdoc />
    public Task<string> Ping() => Task.FromResult("open");
}
