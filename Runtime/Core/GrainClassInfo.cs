using System.Reflection;

namespace Alerts.Runtime;

/// <summary>What the runtime knows of a grain class: its grain type name, concurrency and constructor.</summary>
public sealed class GrainClassInfo
{
    internal GrainClassInfo(Type type)
    {
        if (!typeof(Grain).IsAssignableFrom(type) || type.IsAbstract)
            throw new ArgumentException($"{type.FullName} is not a concrete Grain.", nameof(type));
        Type = type;
        GrainType = type.FullName ?? type.Name;
        IsReentrant = type.IsDefined(typeof(ReentrantAttribute));
        KeepAlive = type.IsDefined(typeof(KeepAliveAttribute));
        MaxWorkers = type.GetCustomAttribute<StatelessWorkerAttribute>()?.MaxLocalWorkers ?? 0;
        var constructors = type.GetConstructors();
        if (constructors.Length != 1) throw new NotSupportedException($"{GrainType} must have exactly one public constructor.");
        Constructor = constructors[0];
        Interfaces = type.GetInterfaces().Where(i => typeof(IGrain).IsAssignableFrom(i) && i != typeof(IGrain)
            && i != typeof(IGrainWithStringKey) && i != typeof(IGrainWithIntegerKey) && i != typeof(IGrainWithGuidKey)).ToArray();
    }

    /// <summary>The grain class.</summary>
    public Type Type { get; }

    /// <summary>The grain type name: stored with state and reminders, so renaming a class orphans its rows.</summary>
    public string GrainType { get; }

    /// <summary>Requests may interleave at await points.</summary>
    public bool IsReentrant { get; }

    /// <summary>Never idle-collected; deactivated only at shutdown or on request.</summary>
    public bool KeepAlive { get; }

    /// <summary>Above 0 for stateless workers: the most activations per key.</summary>
    public int MaxWorkers { get; }

    /// <summary>The constructor the runtime calls.</summary>
    public ConstructorInfo Constructor { get; }

    /// <summary>The grain interfaces the class implements.</summary>
    public IReadOnlyList<Type> Interfaces { get; }
}
