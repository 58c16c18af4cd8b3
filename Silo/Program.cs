using Alerts.Grains;
using Alerts.Silo;
using Orleans.Dashboard;

// Commands before the silo: `migrate` applies the database schema, `hash-secret` and `new-signing-key` make configuration values.
switch (args)
{
    case ["hash-secret", var secret]:
        // A weak secret is refused here, not hashed into a configuration that would let anyone guessing it sign in.
        if (ClientSecret.Problem(secret) is { } weak)
        {
            Console.Error.WriteLine($"hash-secret: {weak}");
            return 2;
        }

        Console.WriteLine(CredentialHash.Create(secret));
        return 0;
    case ["new-signing-key"]:
        Console.WriteLine(SecurityOptions.NewSigningKey());
        return 0;
    case ["migrate", ..]:
        return await SiloCommands.MigrateAsync(args[1..]);
    // A command word with the wrong arguments, or a misspelt one, must not start a silo instead (the configuration
    // ignores bare words): inside `$(… hash-secret)` that silo would never return, and could join a cluster.
    case ["hash-secret", ..]:
        Console.Error.WriteLine("usage: hash-secret <secret> (one argument: quote a secret that has spaces)");
        return 2;
    case ["new-signing-key", ..]:
        Console.Error.WriteLine("usage: new-signing-key (no arguments)");
        return 2;
    case [var word, ..] when !word.StartsWith('-') && !word.StartsWith('/') && !word.Contains('=', StringComparison.Ordinal):
        Console.Error.WriteLine($"unknown command \"{word}\": the commands are migrate, hash-secret <secret> and new-signing-key; with none the silo starts (settings as --Alerts:Key=value)");
        return 2;
}

var builder = WebApplication.CreateBuilder(args);
ClusterSettings settings;
try
{
    settings = SiloHosting.ReadSettings(builder.Configuration, builder.Environment.ContentRootPath);
    SigningKeyFile.EnsureConfigured(builder.Configuration, settings);
    ShareKeyFile.EnsureConfigured(builder.Configuration, settings);
    // A cluster silo refuses to start on a database without the current schema, with the command that fixes it.
    if (!settings.IsEmbedded) await PostgresSchema.CheckAsync(settings.ConnectionString);
    // Inside the refusal too: a setting refused while the silo's services are composed is a refusal, not a crash.
    builder.UseAlertsSilo();
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var app = builder.Build();
app.MapHealthChecks("/health", new() { ResponseWriter = HealthReportWriter.WriteAsync });
if (settings.Dashboard ?? settings.IsEmbedded) app.MapOrleansDashboard("/dashboard");
app.Lifetime.ApplicationStarted.Register(() =>
{
    var silo = app.Services.GetRequiredService<ILocalSiloDetails>();
    app.Logger.LogInformation("Silo {Silo} ({Mode}, {Store}) of cluster {Cluster}: gateway port {Gateway}",
        silo.SiloAddress, settings.IsEmbedded ? "embedded" : "cluster", app.Services.GetRequiredService<StoreEngine>().Location, settings.ClusterId, settings.GatewayPort);
    // One line on standard output once serving: scripts and the end-to-end tests wait for it.
    Console.WriteLine($"listening {string.Join(" ", app.Urls)} gateway {settings.GatewayPort} silo {silo.SiloAddress}");
});
try
{
    // A start that fails stops what did start, the Orleans stages it reached included, and disposes it (SiloStart).
    await app.StartAlertsSiloAsync();
}
catch (Exception e) when (e is InvalidOperationException or Alerts.Geo.GeoValidationException or Microsoft.Extensions.Options.OptionsValidationException or OrleansConfigurationException)
{
    // A setting refused as the silo starts (out of range, another cell precision than the database's, shared settings
    // that differ from the running silos', a schema `migrate` has not made, a port another silo holds, Orleans' own
    // options out of range): the message is the whole story, as for the checks above, not a crash (the host's log above
    // it keeps the stack).
    // Orleans names its membership options by class ("ClusterMembershipOptions.ProbeTimeout"): given as the setting instead.
    Console.Error.WriteLine(e is OrleansConfigurationException
        ? e.Message.Replace("ClusterMembershipOptions.", ClusterSettings.Section + ":Membership:", StringComparison.Ordinal).ReplaceLineEndings(" ")
        : e.Message);
    return 2;
}
catch (Exception e)
{
    // Anything else is not a refusal: the whole exception (what started was stopped, this silo's live_silos row
    // included, which would otherwise bar a silo with other settings for 90 s).
    Console.Error.WriteLine(e);
    return 1;
}

await app.WaitForShutdownAsync();
return 0;
