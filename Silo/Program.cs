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
app.Run();
