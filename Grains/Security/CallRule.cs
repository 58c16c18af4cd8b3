namespace Alerts.Grains;

/// <summary>Who may call one grain interface method, and the name refusals use for it ("alerts.case.Open").</summary>
public sealed record CallRule(string Name, CallRuleKind Kind, IReadOnlyList<string> Roles);
