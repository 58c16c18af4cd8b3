using Alerts.GrainInterfaces;

namespace Alerts.Client.Cap;

/// <summary>A CAP alert turned into a draft case: the case id its identifier suggests (null: none), the alert's identity, and the definition to file.</summary>
public sealed record CapImportResult(string? CaseId, string Identifier, string Sender, DateTimeOffset Sent, CaseDefinition Definition);
