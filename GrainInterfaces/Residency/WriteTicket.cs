namespace Alerts.GrainInterfaces;

/// <summary>
/// Where applied positions wait to be written: the id of one silo's position writer and a block (cell grain) it holds
/// them for. A report is acknowledged only after asking that block to wait for its writer.
/// </summary>
// Not reference-tracked: a shard answers with hundreds, each distinct.
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("alerts.WriteTicket")]
public sealed record WriteTicket([property: Id(0)] Guid Writer, [property: Id(1)] long Block);
