using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>An action a case audits (an admin's, or its own: a ring, its expiry), given to the state write that decides it.</summary>
internal readonly record struct AuditedAction(string Name, CaseStatus Before, string? Detail);
