namespace Alerts.GrainInterfaces;

/// <summary>A client needs one of these roles to call the interface or method (a method's attribute wins over its interface's).</summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method)]
public sealed class RequiresRoleAttribute(params string[] roles) : Attribute
{
    /// <summary>Any one of these roles allows the call.</summary>
    public IReadOnlyList<string> Roles { get; } = roles;
}
