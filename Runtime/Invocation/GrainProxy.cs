using System.Reflection;

namespace Alerts.Runtime;

/// <summary>The generated reference object behind a grain or observer interface: every call goes to its sink.</summary>
public class GrainProxy : DispatchProxy
{
    private ICallSink? _sink;
    private GrainInterfaceInfo? _interface;

    /// <summary>Where this reference sends calls.</summary>
    public ICallSink Sink => _sink ?? throw new InvalidOperationException("Uninitialised grain reference.");

    /// <summary>The interface this reference implements.</summary>
    public GrainInterfaceInfo Interface => _interface ?? throw new InvalidOperationException("Uninitialised grain reference.");

    /// <summary>A reference implementing <paramref name="interfaceType"/> whose calls go to <paramref name="sink"/>.</summary>
    public static object Create(Type interfaceType, ICallSink sink)
    {
        var proxy = (GrainProxy)DispatchProxy.Create(interfaceType, typeof(GrainProxy));
        proxy._sink = sink;
        proxy._interface = GrainInterfaceInfo.Get(interfaceType);
        return proxy;
    }

    /// <summary>A typed reference.</summary>
    public static T Create<T>(ICallSink sink) => (T)Create(typeof(T), sink);

    /// <summary>False when <paramref name="reference"/> is an observer reference whose object is gone; true otherwise.</summary>
    public static bool IsAlive(object reference) => reference is not GrainProxy { Sink: IObserverLiveness { IsAlive: false } };

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.DeclaringType == typeof(object)) return targetMethod.Invoke(this, args);
        var method = Interface.Method(targetMethod);
        return method.ToDeclaredReturn(Sink.InvokeAsync(method, args ?? []));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Interface.Type.Name} -> {Sink}";
}
