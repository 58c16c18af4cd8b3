using Alerts.Grains;
using Alerts.Runtime;

// "hash-secret <secret>" prints the hash to put in Alerts:Silo:Gateway:Clients (the silo never stores secrets).
if (args is ["hash-secret", var secret])
{
    Console.WriteLine(CredentialHash.Create(secret));
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.UseAlerts();
builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");

var app = builder.Build();
app.MapHealthChecks("/health");
app.MapGrainGateway();
// One line on standard output once listening: scripts and the end-to-end tests wait for it.
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine("listening " + string.Join(" ", app.Urls)));
app.Run();
