using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;

namespace Alerts.Grains;

/// <summary>Turns on sign-in and per-call authorization in a silo.</summary>
public static class SiloBuilderSecurityExtensions
{
    /// <summary>Binds <see cref="SecurityOptions"/> from <c>Alerts:Security</c> (checked at start), adds the token issuer, the sign-in limit and the call filters.</summary>
    public static ISiloBuilder AddAlertsSecurity(this ISiloBuilder silo)
    {
        silo.Services.AddOptions<SecurityOptions>()
            .BindConfiguration(SecurityOptions.SectionName)
            .Validate(options =>
            {
                options.Validate(); // throws naming the bad setting; a silo must not run with open or broken security
                return true;
            })
            .ValidateOnStart();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton<TokenIssuer>();
        silo.Services.TryAddSingleton<SignInLimit>();
        silo.Services.TryAddSingleton<RefusalLog>();
        // Order matters: authorization runs first, so a refused call never reaches storage.
        silo.AddIncomingGrainCallFilter<CallAuthorization>();
        silo.AddIncomingGrainCallFilter<StorageFaultFilter>();
        return silo;
    }
}
