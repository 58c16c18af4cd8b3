using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>
/// Who made the current grain call, as the silo's call filter checked it from the client's token. Only the filter
/// sets it for client calls (whatever a client put there itself is replaced); grains pass it on to the grains they call.
/// </summary>
public static class Caller
{
    /// <summary>The actor named in the audit log for actions nobody signed in made (reminders, recovery).</summary>
    public const string Silo = "silo";

    /// <summary>True for a name no client may have: one the audit log would read as the system's own (in any case).</summary>
    public static bool IsReserved(string name) => string.Equals(name, Silo, StringComparison.OrdinalIgnoreCase);

    /// <summary>The signed-in client's name, or null inside the silo.</summary>
    public static string? Name => RequestContext.Get(CallerHeader.Name) as string;

    /// <summary>The signed-in client's roles (none inside the silo).</summary>
    public static IReadOnlyList<string> Roles => RequestContext.Get(CallerHeader.Roles) is string roles && roles.Length > 0 ? roles.Split(',') : [];

    /// <summary>Records the checked caller for the call about to run.</summary>
    public static void Set(string? name, IReadOnlyList<string> roles)
    {
        if (name is null)
        {
            RequestContext.Remove(CallerHeader.Name);
            RequestContext.Remove(CallerHeader.Roles);
            return;
        }

        RequestContext.Set(CallerHeader.Name, name);
        RequestContext.Set(CallerHeader.Roles, string.Join(',', roles));
    }
}
