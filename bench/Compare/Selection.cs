namespace Alerts.Bench.Compare;

/// <summary>
/// One system's answer for one circle: the user ids and how long it took (for ours inside the silo; <paramref name="EndToEnd"/>
/// is the same call timed at the client, ids on the wire included).
/// </summary>
public sealed record Selection(long[] UserIds, TimeSpan Elapsed, TimeSpan? EndToEnd = null);
