using System.CommandLine;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts credential revoke</c>: the credential can no longer sign in.</summary>
public static class RevokeCredentialCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var name = new Argument<string>("name") { Description = "The credential's name" };
        var command = new Command("revoke", "Revoke a stored credential (role operator): it can no longer sign in; tokens it holds are refused at once on the silo that revokes it and within RevocationRefresh (5 s) on the others") { name };
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            var info = await client.GetGrain<IClientCredentialsGrain>(0).Revoke(context.Get(name));
            context.Output.Write(info, $"credential {info.Name} revoked");
        });
    }
}
