namespace Alerts.GrainInterfaces;

/// <summary>
/// On a string parameter: a client may pass only a name its credential owns (<see cref="GatewayNames.IsOwnedBy"/>); the
/// silo's call filter refuses any other before the grain runs. Calls from inside the silo pass any name.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class OwnNameAttribute : Attribute
{
}
