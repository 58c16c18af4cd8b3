using Alerts.GrainInterfaces;
using Orleans;
using Orleans.Runtime;

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

    /// <summary>What this grain and a grain it calls see of the caller: "token? name roles" each.</summary>
    [RequiresRole(Roles.Gateway, Roles.Admin)]
    [Alias("CallerAsSeen")]
    Task<string> CallerAsSeen();
}

/// <summary>Only grains may call it.</summary>
[Alias("alerts-test.silo-only")]
[SiloOnly]
public interface ITestSiloOnlyGrain : IGrainWithStringKey
{
    /// <summary>Answers "pong".</summary>
    [Alias("Ping")]
    Task<string> Ping();

    /// <summary>What this grain sees of the caller: "token? name roles".</summary>
    [Alias("CallerAsSeen")]
    Task<string> CallerAsSeen();
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

    /// <inheritdoc />
    public async Task<string> CallerAsSeen() =>
        $"{TestSiloOnlyGrain.Seen()} / {await GrainFactory.GetGrain<ITestSiloOnlyGrain>(this.GetPrimaryKeyString()).CallerAsSeen()}";
}

/// <summary>The silo-only test grain.</summary>
public sealed class TestSiloOnlyGrain : Grain, ITestSiloOnlyGrain
{
    /// <inheritdoc />
    public Task<string> Ping() => Task.FromResult("pong");

    /// <inheritdoc />
    public Task<string> CallerAsSeen() => Task.FromResult(Seen());

    /// <summary>Whether a token reached this call, and the caller it names.</summary>
    public static string Seen() =>
        $"token {(RequestContext.Get(AccessTokenHeader.Key) is null ? "no" : "yes")}, {Alerts.Grains.Caller.Name ?? "nobody"} {string.Join(",", Alerts.Grains.Caller.Roles)}";
}

/// <summary>The unruled test grain.</summary>
public sealed class TestUnruledGrain : Grain, ITestUnruledGrain
{
    /// <inheritdoc />
    public Task<string> Ping() => Task.FromResult("open");
}
