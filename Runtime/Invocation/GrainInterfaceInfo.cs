using System.Collections.Concurrent;
using System.Reflection;

namespace Alerts.Runtime;

/// <summary>What the runtime knows of a grain or observer interface: its methods by name and the roles it requires.</summary>
public sealed class GrainInterfaceInfo
{
    private static readonly ConcurrentDictionary<Type, GrainInterfaceInfo> Cache = new();
    private readonly Dictionary<MethodInfo, GrainMethod> _byMethodInfo = new();
    private readonly Dictionary<string, GrainMethod> _byName = new(StringComparer.Ordinal);

    private GrainInterfaceInfo(Type type)
    {
        if (!type.IsInterface) throw new ArgumentException($"{type.FullName} is not an interface.", nameof(type));
        Type = type;
        Name = type.FullName ?? type.Name;
        IsObserver = typeof(IGrainObserver).IsAssignableFrom(type);
        Roles = type.GetCustomAttribute<RequiresRoleAttribute>()?.Roles ?? [];

        foreach (var iface in new[] { type }.Concat(type.GetInterfaces()))
        {
            if (iface == typeof(IGrain) || iface == typeof(IGrainObserver)) continue;
            foreach (var method in iface.GetMethods())
            {
                var grainMethod = new GrainMethod(this, method);
                if (!_byName.TryAdd(method.Name, grainMethod))
                    throw new NotSupportedException($"{Name} has two methods named {method.Name}; grain interfaces may not overload (the wire names methods).");
                _byMethodInfo[method] = grainMethod;
            }
        }
    }

    /// <summary>The interface type.</summary>
    public Type Type { get; }

    /// <summary>Full name, as used on the wire.</summary>
    public string Name { get; }

    /// <summary>True for observer interfaces.</summary>
    public bool IsObserver { get; }

    /// <summary>Roles required by default for every method.</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <summary>All methods.</summary>
    public IEnumerable<GrainMethod> Methods => _byName.Values;

    /// <summary>Metadata for an interface type (cached).</summary>
    public static GrainInterfaceInfo Get(Type type) => Cache.GetOrAdd(type, static t => new GrainInterfaceInfo(t));

    /// <summary>The method for a <see cref="MethodInfo"/> of this interface.</summary>
    public GrainMethod Method(MethodInfo method) =>
        _byMethodInfo.TryGetValue(method, out var m) ? m : throw new MissingMethodException(Name, method.Name);

    /// <summary>The method with a wire name, if any.</summary>
    public GrainMethod? FindMethod(string name) => _byName.GetValueOrDefault(name);
}
