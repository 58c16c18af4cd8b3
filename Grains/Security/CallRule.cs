namespace Alerts.Grains;

/// <summary>Who may call one grain interface method, and the name refusals use for it ("alerts.case.Open").</summary>
public sealed record CallRule(string Name, CallRuleKind Kind, IReadOnlyList<string> Roles)
{
    /// <summary>The parameter a client may only give as a name its credential owns ([OwnName]), by position and name; null when none.</summary>
    public (int Index, string Field)? OwnName { get; init; }
}
