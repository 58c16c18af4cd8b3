using System.Collections.Concurrent;
using System.Reflection;
using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>Resolves who may call a grain interface method from the Alerts attributes; the one place the silo filter and the tests ask.</summary>
public static class CallRules
{
    // The client runtime calls these on its own (before any sign-in), and they are internal to Orleans, so they are named, not referenced.
    private static readonly HashSet<string> ClientPlumbing = new(StringComparer.Ordinal)
    {
        "Orleans.Runtime.IClusterManifestSystemTarget",
        "Orleans.Runtime.IGrainCallCancellationExtension",
    };

    // Reflection over attributes on every call would cost more than the call: one lookup per method, ever.
    private static readonly ConcurrentDictionary<MethodInfo, CallRule> Rules = new();

    /// <summary>The rule for <paramref name="interfaceMethod"/>: [SiloOnly] and [AllowAnonymous] on the interface, else [RequiresRole] on the method, else on the interface (with the method's [OwnName] parameter), else closed.</summary>
    public static CallRule For(MethodInfo interfaceMethod) => Rules.GetOrAdd(interfaceMethod, Resolve);

    /// <summary>True for a call from a client outside the silo: a client grain id other than the silo's own hosted client ("hosted-...").</summary>
    public static bool IsExternalClient(GrainId? source)
    {
        if (source is not { } id || !id.IsClient()) return false;
        // The hosted client is how code inside the silo (not in a grain) calls grains; it is as trusted as a grain.
        return !id.Key.ToString().StartsWith("hosted-", StringComparison.Ordinal);
    }

    private static CallRule Resolve(MethodInfo method)
    {
        var type = method.DeclaringType;
        var name = $"{Alias(type)}.{method.GetCustomAttribute<AliasAttribute>()?.Alias ?? method.Name}";
        if (type is null) return new CallRule(name, CallRuleKind.Closed, []);
        if (type.IsDefined(typeof(SiloOnlyAttribute), false)) return new CallRule(name, CallRuleKind.SiloOnly, []);
        if (type.IsDefined(typeof(AllowAnonymousAttribute), false)) return new CallRule(name, CallRuleKind.Anonymous, []);
        var roles = method.GetCustomAttribute<RequiresRoleAttribute>(false) ?? type.GetCustomAttribute<RequiresRoleAttribute>(false);
        if (roles is { Roles.Count: > 0 }) return new CallRule(name, CallRuleKind.Roles, roles.Roles) { OwnName = OwnName(method) };
        var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (generic.FullName is { } fullName && ClientPlumbing.Contains(fullName)) return new CallRule(name, CallRuleKind.OrleansClientPlumbing, []);
        return new CallRule(name, CallRuleKind.Closed, []);
    }

    // The [OwnName] parameter, if any: one per method is all a rule checks.
    private static (int Index, string Field)? OwnName(MethodInfo method) =>
        method.GetParameters().FirstOrDefault(p => p.IsDefined(typeof(OwnNameAttribute), false)) is { } parameter
            ? (parameter.Position, parameter.Name ?? $"argument {parameter.Position}")
            : null;

    private static string Alias(Type? type) => type?.GetCustomAttribute<AliasAttribute>(false)?.Alias ?? type?.FullName ?? type?.Name ?? "?";
}
