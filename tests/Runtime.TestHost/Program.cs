using Alerts.Runtime;
using Alerts.Runtime.Tests;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// A silo process hosting the runtime's test grains, for tests that need a real second process.
// Settings come from the command line (--Alerts:Silo:...); it prints "listening <url>" once ready.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseAlertsSilo(silo => silo.AddGrains(typeof(CounterGrain).Assembly));
var app = builder.Build();
app.UseWebSockets();
app.MapGrainGateway();
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine("listening " + address);
await app.WaitForShutdownAsync();
