namespace Alerts.Runtime;

/// <summary>Requests of this grain may interleave at await points (still one turn at a time).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ReentrantAttribute : Attribute;

/// <summary>This method may interleave with any other request of its grain.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute;

/// <summary>This method does not change state: read-only requests may interleave with each other.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute;

/// <summary>The caller does not wait for this method: the call completes once it is queued.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute;

/// <summary>The grain may have several activations per key (up to <see cref="MaxLocalWorkers"/>), for stateless high-rate entry points.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StatelessWorkerAttribute(int maxLocalWorkers = 0) : Attribute
{
    /// <summary>Most activations per key; 0 means one per processor core.</summary>
    public int MaxLocalWorkers { get; } = maxLocalWorkers > 0 ? maxLocalWorkers : Environment.ProcessorCount;
}

/// <summary>Remote clients need one of these roles to call the interface or method (method attributes win).</summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method)]
public sealed class RequiresRoleAttribute(params string[] roles) : Attribute
{
    /// <summary>Any one of these roles allows the call.</summary>
    public IReadOnlyList<string> Roles { get; } = roles;
}

/// <summary>Marks a grain constructor parameter of type <see cref="IPersistentState{TState}"/> to be loaded before activation.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    /// <summary>Name of the state within the grain.</summary>
    public string StateName { get; } = stateName;

    /// <summary>Name of the storage; every name maps to the silo's configured storage provider.</summary>
    public string? StorageName { get; } = storageName;
}

/// <summary>Keeps activations of this grain class from idle collection (Orleans' CollectionAgeLimit with AlwaysActive).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class KeepAliveAttribute : Attribute;
