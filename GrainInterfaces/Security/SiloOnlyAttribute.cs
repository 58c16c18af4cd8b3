namespace Alerts.GrainInterfaces;

/// <summary>Only grains may call this interface: every client call is refused, whatever its roles.</summary>
[AttributeUsage(AttributeTargets.Interface)]
public sealed class SiloOnlyAttribute : Attribute;
