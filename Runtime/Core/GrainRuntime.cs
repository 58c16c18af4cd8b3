using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Runtime;

/// <summary>
/// The silo's grain runtime: the catalog of activations, the grain factory, call dispatch with
/// timeouts, idle collection and shutdown. Grains are virtual: a reference always works, and the
/// first call activates the grain.
/// </summary>
public sealed class GrainRuntime : IGrainFactory
{
    private readonly ConcurrentDictionary<GrainId, GrainActivation> _activations = new();
    private readonly ConcurrentDictionary<GrainId, WorkerPool> _workers = new();
    private readonly ConcurrentDictionary<GrainId, Task> _deactivating = new();
    private readonly IServiceProvider _services;
    private readonly IGrainStorage _storage;
    private readonly CancellationTokenSource _stopping = new();

    public GrainRuntime(GrainTypeRegistry registry, IServiceProvider services, IGrainStorage storage, IReminderTable reminderTable,
        IOptions<SiloOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        Registry = registry;
        _services = services;
        _storage = storage;
        Options = options.Value;
        Time = time;
        Logger = loggers.CreateLogger<GrainRuntime>();
        Reminders = new ReminderService(reminderTable, this, time, Options, loggers.CreateLogger<ReminderService>());
    }

    /// <summary>Grain classes and interfaces known to this silo.</summary>
    public GrainTypeRegistry Registry { get; }

    /// <summary>Settings in force.</summary>
    public SiloOptions Options { get; }

    /// <summary>The clock (replaceable in tests).</summary>
    public TimeProvider Time { get; }

    /// <summary>Durable reminders.</summary>
    public ReminderService Reminders { get; }

    internal ILogger Logger { get; }

    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>Live activations, stateless workers included.</summary>
    public int ActivationCount => _activations.Count + _workers.Values.Sum(p => p.Count);

    /// <summary>Live activations of one grain class.</summary>
    public int ActivationsOf(Type grainClass)
    {
        var grainType = Registry.ForGrainType(grainClass.FullName!).GrainType;
        return _activations.Keys.Count(k => k.GrainType == grainType) + _workers.Where(w => w.Key.GrainType == grainType).Sum(w => w.Value.Count);
    }

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey => Reference<TGrain>(GrainId.KeyOf(key));

    public TGrain GetGrain<TGrain>(long key) where TGrain : IGrainWithIntegerKey => Reference<TGrain>(GrainId.KeyOf(key));

    public TGrain GetGrain<TGrain>(Guid key) where TGrain : IGrainWithGuidKey => Reference<TGrain>(GrainId.KeyOf(key));

    /// <summary>A reference by grain interface type and key text (used by the remote gateway).</summary>
    public object GetGrain(Type grainInterface, string key) =>
        GrainProxy.Create(grainInterface, new LocalGrainSink(this, new GrainId(Registry.ForInterface(grainInterface).GrainType, key)));

    /// <summary>A reference by full grain id (used by reminders).</summary>
    public TGrain GetGrainById<TGrain>(GrainId id) => GrainProxy.Create<TGrain>(new LocalGrainSink(this, id));

    public TObserver CreateObjectReference<TObserver>(IGrainObserver observer) where TObserver : IGrainObserver =>
        GrainProxy.Create<TObserver>(new LocalObserverSink(observer));

    public void DeleteObjectReference<TObserver>(TObserver reference) where TObserver : IGrainObserver
    {
        if (reference is GrainProxy { Sink: LocalObserverSink sink }) sink.Delete();
    }

    private TGrain Reference<TGrain>(string keyText) =>
        GrainProxy.Create<TGrain>(new LocalGrainSink(this, new GrainId(Registry.ForInterface(typeof(TGrain)).GrainType, keyText)));

    /// <summary>Queues a call on the grain's activation and waits for its result, at most the call timeout.</summary>
    internal Task<object?> InvokeAsync(GrainId id, GrainMethod method, object?[] args)
    {
        var completion = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var interleaving = method.AlwaysInterleave ? Interleaving.Always : method.ReadOnly ? Interleaving.ReadOnly : Interleaving.Exclusive;
        var item = new WorkItem(interleaving, async grain =>
        {
            try
            {
                completion.TrySetResult(await method.InvokeOn(grain!, args));
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
            }
        }, e => completion.TrySetException(e));

        Dispatch(id, item);
        if (method.OneWay) return Task.FromResult<object?>(null);
        return WithTimeout(completion.Task, id, method);
    }

    private async Task<object?> WithTimeout(Task<object?> call, GrainId id, GrainMethod method)
    {
        try
        {
            return await call.WaitAsync(Options.CallTimeout, Time).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!call.IsCompleted)
        {
            throw new GrainCallTimeoutException(
                $"{method} on {id} got no response within {Options.CallTimeout.TotalSeconds:0.###} s. A non-reentrant grain that awaits a call which calls back into it waits for itself: mark it [Reentrant], mark the callback [AlwaysInterleave], or break the cycle.");
        }
    }

    internal void Dispatch(GrainId id, WorkItem item)
    {
        var grainClass = Registry.ForGrainType(id.GrainType);
        if (grainClass.MaxWorkers > 0)
        {
            _workers.GetOrAdd(id, static (i, r) => new WorkerPool(r, i), this).Enqueue(item, grainClass);
            return;
        }

        while (true)
        {
            var created = false;
            var activation = _activations.GetOrAdd(id, i =>
            {
                created = true;
                return new GrainActivation(this, i, grainClass, _deactivating.GetValueOrDefault(i));
            });
            if (created) activation.Start();
            if (activation.TryEnqueue(item)) return;
            // Deactivating: the catalog entry is being removed; retry on a fresh activation.
            _activations.TryRemove(new KeyValuePair<GrainId, GrainActivation>(id, activation));
        }
    }

    internal (Grain Grain, List<IReadableState> States) CreateGrain(GrainClassInfo grainClass, GrainActivation activation)
    {
        var states = new List<IReadableState>();
        var parameters = grainClass.Constructor.GetParameters();
        var args = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            var stateAttribute = p.GetCustomAttribute<PersistentStateAttribute>();
            if (stateAttribute is not null)
            {
                if (!p.ParameterType.IsGenericType || p.ParameterType.GetGenericTypeDefinition() != typeof(IPersistentState<>))
                    throw new NotSupportedException($"{grainClass.GrainType}: [PersistentState] parameter {p.Name} must be IPersistentState<T>.");
                var stateType = typeof(PersistentState<>).MakeGenericType(p.ParameterType.GetGenericArguments()[0]);
                var state = Activator.CreateInstance(stateType, _storage, activation.Id, stateAttribute.StateName)!;
                states.Add((IReadableState)state);
                args[i] = state;
            }
            else if (p.ParameterType == typeof(IGrainFactory) || p.ParameterType == typeof(GrainRuntime))
            {
                args[i] = this;
            }
            else
            {
                args[i] = p.HasDefaultValue ? _services.GetService(p.ParameterType) ?? p.DefaultValue : _services.GetRequiredService(p.ParameterType);
            }
        }

        var grain = (Grain)grainClass.Constructor.Invoke(args);
        grain.Attach(activation);
        return (grain, states);
    }

    internal void OnDeactivating(GrainActivation activation)
    {
        _deactivating[activation.Id] = activation.Deactivated;
        _activations.TryRemove(new KeyValuePair<GrainId, GrainActivation>(activation.Id, activation));
    }

    internal void OnDeactivated(GrainActivation activation)
    {
        _activations.TryRemove(new KeyValuePair<GrainId, GrainActivation>(activation.Id, activation));
        if (_workers.TryGetValue(activation.Id, out var pool)) pool.Remove(activation);
        _deactivating.TryRemove(new KeyValuePair<GrainId, Task>(activation.Id, activation.Deactivated));
    }

    /// <summary>
    /// Deactivates activations idle past <see cref="SiloOptions.ActivationIdleTimeout"/>, and, above
    /// <see cref="SiloOptions.MaxActivations"/>, the least recently used idle ones. Returns once they are gone.
    /// </summary>
    public async Task<int> CollectIdleAsync()
    {
        var now = Time.GetUtcNow();
        var all = _activations.Values.Concat(_workers.Values.SelectMany(p => p.Snapshot())).ToList();
        var collected = all.Where(a => a.TryCollect(now, Options.ActivationIdleTimeout)).ToList();
        var excess = all.Count - collected.Count - Options.MaxActivations;
        if (excess > 0)
        {
            foreach (var activation in all.Except(collected).OrderBy(a => a.LastActiveTicks))
            {
                if (excess <= 0) break;
                if (activation.TryCollect(now, TimeSpan.Zero))
                {
                    collected.Add(activation);
                    excess--;
                }
            }
        }

        await Task.WhenAll(collected.Select(a => a.Deactivated)).ConfigureAwait(false);
        return collected.Count;
    }

    /// <summary>Deactivates every activation (their OnDeactivateAsync runs, state is written) and stops reminders and timers.</summary>
    public async Task DeactivateAllAsync()
    {
        _stopping.Cancel();
        var all = _activations.Values.Concat(_workers.Values.SelectMany(p => p.Snapshot())).ToList();
        foreach (var activation in all) activation.RequestDeactivation(DeactivationReason.ShuttingDown);
        await Task.WhenAll(all.Select(a => a.Deactivated)).ConfigureAwait(false);
    }
}
