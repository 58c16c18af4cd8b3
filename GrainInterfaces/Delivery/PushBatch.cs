namespace Alerts.GrainInterfaces;

/// <summary>Users to push one alert to; the batch id is stable across resends, so a gateway drops a repeat.</summary>
[GenerateSerializer, Immutable, Alias("alerts.PushBatch")]
public sealed record PushBatch([property: Id(0)] long BatchId, [property: Id(1)] string CaseId, [property: Id(2)] List<long> UserIds, [property: Id(3)] AlertPayload Payload);
