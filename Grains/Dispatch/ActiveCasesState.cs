using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>The active cases by id.</summary>
[GenerateSerializer, Alias("alerts.ActiveCasesState")]
public sealed class ActiveCasesState
{
    [Id(0)]
    public Dictionary<string, ActiveCase> Cases { get; set; } = new();
}
