namespace Alerts.GrainInterfaces;

/// <summary>Users to push one alert to; the batch id is stable across resends, so a gateway drops a repeat.</summary>
public sealed record PushBatch(long BatchId, string CaseId, List<long> UserIds, AlertPayload Payload);
