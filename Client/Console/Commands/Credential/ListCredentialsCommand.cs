using System.CommandLine;
using System.Globalization;
using Alerts.GrainInterfaces;
using Spectre.Console;

namespace Alerts.Cli;

/// <summary><c>alerts credential list</c>: every credential with its roles and state, never a secret.</summary>
public static class ListCredentialsCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var command = new Command("list", "List client credentials (role operator): name, roles, where defined, created, revoked");
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            var credentials = await client.GetGrain<IClientCredentialsGrain>(0).List();
            context.Output.Write(credentials, () =>
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumn("name").AddColumn("roles").AddColumn("source").AddColumn("created (UTC)").AddColumn("revoked (UTC)");
                foreach (var c in credentials)
                    table.AddRow(Markup.Escape(c.Name), string.Join(", ", c.Roles), c.Source, Time(c.CreatedAt), Time(c.RevokedAt));
                return table;
            });
        });
    }

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
}
