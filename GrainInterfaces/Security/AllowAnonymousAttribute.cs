namespace Alerts.GrainInterfaces;

/// <summary>A client may call this interface without a token (signing in is how it gets one).</summary>
[AttributeUsage(AttributeTargets.Interface)]
public sealed class AllowAnonymousAttribute : Attribute;
