using System.CommandLine;
using System.Globalization;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts case widen</c>: enlarges the radius; only users newly inside are alerted.</summary>
public static class WidenCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var radius = new Option<double>("--radius-km") { CustomParser = NumberOption.Parse, Description = "The new, larger radius in km", Required = true };
        var command = new Command("widen", "Enlarge the case's radius; only users newly inside get the alert") { id, radius };
        return command.Runs(connection, async context =>
        {
            if (context.Get(radius) is not (> 0 and < double.PositiveInfinity))
                throw new ConsoleFailure(ExitCodes.BadInput, string.Create(CultureInfo.InvariantCulture, $"--radius-km {context.Get(radius)} is invalid: must be a number of km greater than 0"));
            await using var client = await context.ConnectAsync();
            var caseId = context.Get(id);
            var widened = await ConsoleFailure.UnlessNoAnswerAsync(() => client.GetGrain<ICaseGrain>(caseId).Widen(context.Get(radius) * 1000), $"case widen {caseId}", $"alerts case show {caseId}");
            var view = await context.AfterMoveAsync(client, widened);
            context.Output.Write(view, $"case {view.CaseId} widened to {view.RadiusKm:0.###} km; status {CaseView.StatusName(view.Status)}");
        });
    }
}
