using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Runtime;

/// <summary>Maps the WebSocket endpoint where remote grain clients (the mobile gateway, the admin console) connect.</summary>
public static class GrainGatewayEndpoint
{
    /// <summary>Enables WebSockets and maps <see cref="GatewayOptions.Path"/>; clients authenticate with "Authorization: Bearer name:secret".</summary>
    public static WebApplication MapGrainGateway(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<SiloOptions>>().Value.Gateway;
        var runtime = app.Services.GetRequiredService<GrainRuntime>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Alerts.Gateway");
        app.UseWebSockets();
        app.Map(options.Path, async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync("This endpoint takes WebSocket connections from grain clients.");
                return;
            }

            var identity = ClientIdentity.Authenticate(context.Request.Headers.Authorization, options);
            if (identity is null)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await context.Response.WriteAsync("Unknown client or wrong secret: send \"Authorization: Bearer <name>:<secret>\".");
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            logger.LogInformation("Client {Client} connected", identity.Name);
            await new GatewayConnection(socket, runtime, identity, options, logger).RunAsync(context.RequestAborted);
            logger.LogInformation("Client {Client} disconnected", identity.Name);
        });
        return app;
    }
}
