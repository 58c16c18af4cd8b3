using Alerts.Client;
using Alerts.Grains;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace Alerts.Tests;

/// <summary>
/// A silo checks one secret at a time and lets a bounded number of sign-ins wait: a flood of sign-ins is refused as
/// busy instead of taking every core, and a client already holding a valid token rides it out.
/// </summary>
public sealed class SignInLimitTests(SecurityCluster fixture) : IClassFixture<SecurityCluster>
{
    [Fact]
    public async Task Beyond_the_checks_and_the_waiting_room_a_turn_is_refused_until_one_ends()
    {
        var limit = new SignInLimit(Options.Create(new SecurityOptions { MaxConcurrentSignIns = 1, MaxWaitingSignIns = 1 }));
        var first = await limit.EnterAsync();
        var second = limit.EnterAsync();
        Assert.False(second.IsCompleted);

        var busy = await Assert.ThrowsAsync<SignInBusyException>(limit.EnterAsync);
        Assert.Contains("1 being checked and 1 waiting", busy.Message);
        Assert.Contains("MaxConcurrentSignIns", busy.Message);

        first.Dispose();
        first.Dispose(); // a turn ends once, however often it is disposed
        var checking = await second;
        // The waiting room has room again while the second is being checked, and only that room.
        var third = limit.EnterAsync();
        Assert.False(third.IsCompleted);
        await Assert.ThrowsAsync<SignInBusyException>(limit.EnterAsync);
        checking.Dispose();
        (await third).Dispose();
        (await limit.EnterAsync()).Dispose();
    }

    [Fact]
    public async Task A_sign_in_while_the_silo_is_full_is_refused_as_busy_and_answered_once_there_is_room()
    {
        var signIn = fixture.RawClient.GetGrain<ISignInGrain>(0);
        var held = await FillAsync();
        try
        {
            var busy = await Assert.ThrowsAsync<SignInBusyException>(() => signIn.SignIn(SecurityCluster.GatewayName, SecurityCluster.GatewaySecret));
            Assert.Contains("retry", busy.Message);
        }
        finally
        {
            await ReleaseAsync(held);
        }

        Assert.Equal([Roles.Gateway], (await signIn.SignIn(SecurityCluster.GatewayName, SecurityCluster.GatewaySecret)).Roles);
    }

    [Fact]
    public async Task Sign_ins_beyond_the_silos_workers_all_reach_the_limit_and_the_one_without_a_place_is_refused()
    {
        // Orleans runs a stateless worker per core: one sign-in more than that must still reach the limit, not queue unseen.
        var workers = Environment.ProcessorCount;
        var options = Silo.GetRequiredService<IOptions<SecurityOptions>>().Value;
        var limit = Silo.GetRequiredService<SignInLimit>();
        var checking = await limit.EnterAsync();
        var waiting = Enumerable.Range(0, options.MaxWaitingSignIns - workers).Select(_ => limit.EnterAsync()).ToList();
        var signIn = fixture.RawClient.GetGrain<ISignInGrain>(0);
        var calls = Enumerable.Range(0, workers + 1).Select(_ => signIn.SignIn(SecurityCluster.GatewayName, SecurityCluster.GatewaySecret)).ToList();
        try
        {
            // Nothing can finish while every check is held, except a refusal (the bound only fails a test that would hang).
            var first = await Task.WhenAny(calls).WaitAsync(TimeSpan.FromMinutes(1));
            await Assert.ThrowsAsync<SignInBusyException>(() => first);
            Assert.Equal(1, calls.Count(c => c.IsCompleted));
        }
        finally
        {
            await ReleaseAsync((checking, waiting));
        }

        var answered = calls.Where(c => !c.IsFaulted).ToList();
        Assert.Equal(workers, answered.Count);
        Assert.All(await Task.WhenAll(answered), token => Assert.Equal([Roles.Gateway], token.Roles));
    }

    [Fact]
    public async Task A_sign_in_beyond_the_bound_is_refused_before_it_reads_the_database()
    {
        // A flood of made-up names must not become a flood of reads on the connections a dispatch needs: with every place
        // taken, a sign-in is refused as busy without touching the table (here, one that cannot be read).
        var held = await FillAsync();
        await SqlAsync("ALTER TABLE client_credentials RENAME TO client_credentials_away");
        try
        {
            var busy = await Assert.ThrowsAsync<SignInBusyException>(() => fixture.RawClient.GetGrain<ISignInGrain>(0).SignIn("made-up", "guess"));
            Assert.Contains("retry", busy.Message);
        }
        finally
        {
            await SqlAsync("ALTER TABLE client_credentials_away RENAME TO client_credentials");
            await ReleaseAsync(held);
        }
    }

    [Fact]
    public async Task A_client_whose_renewal_is_refused_as_busy_keeps_its_valid_token_and_fails_only_once_it_expires()
    {
        var time = new MovableTime();
        var source = new AccessTokenSource(fixture.RawClient, SecurityCluster.GatewayName, SecurityCluster.GatewaySecret, time);
        var first = await source.GetToken();
        var held = await FillAsync();
        try
        {
            time.Advance(TimeSpan.FromMinutes(13)); // renewal due at 12 of the token's 15 minutes
            Assert.Equal(first, await source.GetToken());
            time.Advance(TimeSpan.FromMinutes(5)); // 18 minutes: the token, issued by the silo's clock at about 0, has expired
            await Assert.ThrowsAsync<SignInBusyException>(() => source.GetToken().AsTask());
        }
        finally
        {
            await ReleaseAsync(held);
        }

        Assert.NotEqual(first, await source.GetToken());
    }

    // Takes every check and every waiting place of the silo's limit, as a flood of sign-ins would.
    private async Task<(IDisposable Checking, List<Task<IDisposable>> Waiting)> FillAsync()
    {
        var options = Silo.GetRequiredService<IOptions<SecurityOptions>>().Value;
        var limit = Silo.GetRequiredService<SignInLimit>();
        Assert.Equal(1, options.MaxConcurrentSignIns);
        var checking = await limit.EnterAsync();
        var waiting = Enumerable.Range(0, options.MaxWaitingSignIns).Select(_ => limit.EnterAsync()).ToList();
        Assert.All(waiting, w => Assert.False(w.IsCompleted));
        return (checking, waiting);
    }

    private static async Task ReleaseAsync((IDisposable Checking, List<Task<IDisposable>> Waiting) held)
    {
        held.Checking.Dispose();
        foreach (var turn in held.Waiting) (await turn).Dispose();
    }

    private async Task SqlAsync(string sql)
    {
        await using var connection = await Silo.GetRequiredService<StoreEngine>().OpenAsync();
        await Dapper.SqlMapper.ExecuteAsync(connection, sql);
    }

    private IServiceProvider Silo => ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost.Services;
}
