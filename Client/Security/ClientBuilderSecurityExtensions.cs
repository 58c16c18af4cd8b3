using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans;
using Orleans.Hosting;

namespace Alerts.Client;

/// <summary>Makes a client sign in with a credential and send its token with every call.</summary>
public static class ClientBuilderSecurityExtensions
{
    /// <summary>Signs in as "name:secret" on first need and attaches the token to each call.</summary>
    public static IClientBuilder AddAlertsCredential(this IClientBuilder client, string credential)
    {
        // Parse now, so a malformed credential fails at start-up, not at the first call.
        var (name, secret) = AccessTokenSource.ParseCredential(credential);
        client.Services.TryAddSingleton(TimeProvider.System);
        client.Services.AddSingleton(sp => new AccessTokenSource(sp.GetRequiredService<IGrainFactory>(), name, secret, sp.GetRequiredService<TimeProvider>()));
        client.AddOutgoingGrainCallFilter<AccessTokenCallFilter>();
        return client;
    }
}
