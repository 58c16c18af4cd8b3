namespace Alerts.GrainInterfaces;

/// <summary>The roles remote clients are granted; grain interfaces name which may call them.</summary>
public static class Roles
{
    /// <summary>The mobile gateway: reports locations, receives and acknowledges pushes.</summary>
    public const string Gateway = "gateway";

    /// <summary>Alert admins: open, dispatch, widen and close cases.</summary>
    public const string Admin = "admin";

    /// <summary>No client holds it: methods only grains inside the silo call.</summary>
    public const string Silo = "silo";
}
