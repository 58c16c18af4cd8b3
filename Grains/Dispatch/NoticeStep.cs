using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>One step of a notice: the batches it wrote, how many users it has reached in all, and whether it is done.</summary>
public sealed record NoticeStep(List<PushBatch> Batches, long Sent, bool Done);
