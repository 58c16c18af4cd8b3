using Alerts.GrainInterfaces;

namespace Alerts.Client.Cap;

/// <summary>A CAP alert turned into a draft case: the suggested case id, the alert's identity, and the definition to file.</summary>
public sealed record CapImportResult(string CaseId, string Identifier, string Sender, DateTimeOffset Sent, CaseDefinition Definition);
