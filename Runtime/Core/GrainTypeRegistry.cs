using System.Reflection;

namespace Alerts.Runtime;

/// <summary>Maps grain interfaces to the one class that implements each, and grain type names to classes.</summary>
public sealed class GrainTypeRegistry
{
    private readonly Dictionary<Type, GrainClassInfo> _byInterface = new();
    private readonly Dictionary<string, GrainClassInfo> _byGrainType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Type> _interfacesByName = new(StringComparer.Ordinal);

    /// <summary>Registers every concrete grain class in an assembly.</summary>
    public GrainTypeRegistry AddAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().Where(t => typeof(Grain).IsAssignableFrom(t) && !t.IsAbstract && t.IsClass))
            Add(type);
        return this;
    }

    /// <summary>Registers one grain class.</summary>
    public GrainTypeRegistry Add(Type grainClass)
    {
        var info = new GrainClassInfo(grainClass);
        if (_byGrainType.ContainsKey(info.GrainType)) return this;
        _byGrainType[info.GrainType] = info;
        foreach (var iface in info.Interfaces)
        {
            if (_byInterface.TryGetValue(iface, out var other) && other.Type != grainClass)
                throw new NotSupportedException($"{iface.FullName} is implemented by both {other.GrainType} and {info.GrainType}.");
            _byInterface[iface] = info;
            _interfacesByName[iface.FullName ?? iface.Name] = iface;
            GrainInterfaceInfo.Get(iface);
        }

        return this;
    }

    /// <summary>The class implementing a grain interface.</summary>
    public GrainClassInfo ForInterface(Type grainInterface) =>
        _byInterface.TryGetValue(grainInterface, out var info)
            ? info
            : throw new InvalidOperationException($"No grain class implements {grainInterface.FullName}; register its assembly with the silo.");

    /// <summary>The class of a grain type name.</summary>
    public GrainClassInfo ForGrainType(string grainType) =>
        _byGrainType.TryGetValue(grainType, out var info) ? info : throw new InvalidOperationException($"Unknown grain type {grainType}.");

    /// <summary>A registered grain interface by its full name (the wire's name), if any.</summary>
    public Type? FindInterface(string name) => _interfacesByName.GetValueOrDefault(name);
}
