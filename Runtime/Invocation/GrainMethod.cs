using System.Reflection;

namespace Alerts.Runtime;

/// <summary>One method of a grain or observer interface: how to invoke it, adapt its task, and who may call it.</summary>
public sealed class GrainMethod
{
    private static readonly MethodInfo BoxTaskMethod = typeof(GrainMethod).GetMethod(nameof(BoxTask), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo BoxValueTaskMethod = typeof(GrainMethod).GetMethod(nameof(BoxValueTask), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo UnboxTaskMethod = typeof(GrainMethod).GetMethod(nameof(UnboxTask), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo UnboxValueTaskMethod = typeof(GrainMethod).GetMethod(nameof(UnboxValueTask), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly MethodInvoker _invoker;
    private readonly Func<object, Task<object?>> _box;
    private readonly Func<Task<object?>, object> _unbox;

    internal GrainMethod(GrainInterfaceInfo owner, MethodInfo method)
    {
        Interface = owner;
        Method = method;
        Name = method.Name;
        ParameterTypes = method.GetParameters().Select(p => p.ParameterType).ToArray();
        ParameterNames = method.GetParameters().Select(p => p.Name ?? "arg").ToArray();
        AlwaysInterleave = method.IsDefined(typeof(AlwaysInterleaveAttribute));
        ReadOnly = method.IsDefined(typeof(ReadOnlyAttribute));
        OneWay = method.IsDefined(typeof(OneWayAttribute));
        Roles = method.GetCustomAttribute<RequiresRoleAttribute>()?.Roles ?? owner.Roles;
        _invoker = MethodInvoker.Create(method);

        var returnType = method.ReturnType;
        if (returnType == typeof(Task))
        {
            ResultType = null;
            _box = static t => AwaitPlain((Task)t);
            _unbox = static t => t;
        }
        else if (returnType == typeof(ValueTask))
        {
            ResultType = null;
            _box = static t => AwaitPlain(((ValueTask)t).AsTask());
            _unbox = static t => new ValueTask(t);
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            ResultType = returnType.GetGenericArguments()[0];
            _box = BoxTaskMethod.MakeGenericMethod(ResultType).CreateDelegate<Func<object, Task<object?>>>();
            _unbox = UnboxTaskMethod.MakeGenericMethod(ResultType).CreateDelegate<Func<Task<object?>, object>>();
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            ResultType = returnType.GetGenericArguments()[0];
            _box = BoxValueTaskMethod.MakeGenericMethod(ResultType).CreateDelegate<Func<object, Task<object?>>>();
            _unbox = UnboxValueTaskMethod.MakeGenericMethod(ResultType).CreateDelegate<Func<Task<object?>, object>>();
        }
        else
        {
            throw new NotSupportedException($"{owner.Type.FullName}.{method.Name} must return Task, Task<T>, ValueTask or ValueTask<T>.");
        }

        if (OneWay && ResultType is not null)
            throw new NotSupportedException($"{owner.Type.FullName}.{method.Name} is [OneWay] and so must return Task or ValueTask.");
    }

    /// <summary>The interface the method belongs to.</summary>
    public GrainInterfaceInfo Interface { get; }

    /// <summary>The interface method.</summary>
    public MethodInfo Method { get; }

    /// <summary>Name on the wire (overloads are not allowed, so the name is unique in its interface).</summary>
    public string Name { get; }

    /// <summary>Parameter types, in order.</summary>
    public Type[] ParameterTypes { get; }

    /// <summary>Parameter names, in order (used in error messages).</summary>
    public string[] ParameterNames { get; }

    /// <summary>The T of Task&lt;T&gt; or ValueTask&lt;T&gt;; null for Task and ValueTask.</summary>
    public Type? ResultType { get; }

    /// <summary>May interleave with any request.</summary>
    public bool AlwaysInterleave { get; }

    /// <summary>May interleave with other read-only requests.</summary>
    public bool ReadOnly { get; }

    /// <summary>Fire and forget.</summary>
    public bool OneWay { get; }

    /// <summary>Roles of which a remote caller needs one; empty means any authenticated caller.</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <summary>Calls the method on a target and returns its result boxed.</summary>
    public Task<object?> InvokeOn(object target, object?[] args)
    {
        object? returned;
        try
        {
            returned = _invoker.Invoke(target, new Span<object?>(args));
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            return Task.FromException<object?>(e.InnerException);
        }
        catch (Exception e)
        {
            return Task.FromException<object?>(e);
        }

        return returned is null
            ? Task.FromException<object?>(new InvalidOperationException($"{Interface.Type.Name}.{Name} returned a null task."))
            : _box(returned);
    }

    /// <summary>Turns a boxed result task into the method's declared return type.</summary>
    public object ToDeclaredReturn(Task<object?> result) => _unbox(result);

    /// <inheritdoc />
    public override string ToString() => $"{Interface.Type.Name}.{Name}";

    private static async Task<object?> AwaitPlain(Task task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    private static async Task<object?> BoxTask<T>(object task) => await ((Task<T>)task).ConfigureAwait(false);

    private static async Task<object?> BoxValueTask<T>(object task) => await ((ValueTask<T>)task).ConfigureAwait(false);

    private static async Task<T> UnboxTaskAsync<T>(Task<object?> task) => (T)(await task.ConfigureAwait(false))!;

    private static object UnboxTask<T>(Task<object?> task) => UnboxTaskAsync<T>(task);

    private static object UnboxValueTask<T>(Task<object?> task) => new ValueTask<T>(UnboxTaskAsync<T>(task));
}
