using Alerts.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>
/// Fails chosen calls to chosen cell grains, as calls to a silo that dies fail: before they reach the grain, or after
/// it ran them (the answer is what was lost); or holds one back until the test lets it run (a slow silo). A silo filter,
/// so the grains and their callers are the real ones.
/// </summary>
public sealed class CellCallFaults : IIncomingGrainCallFilter
{
    private readonly object _gate = new();
    private readonly Dictionary<(GrainId Grain, string Method), (int Times, bool AfterRunning)> _armed = new();
    private readonly Dictionary<(GrainId Grain, string Method), HeldCall> _held = new();

    /// <summary>The calls that were failed so far.</summary>
    public int Failed { get; private set; }

    /// <summary>Adds this filter to a silo's services (it fails nothing until armed).</summary>
    public void AddTo(IServiceCollection services) => services.AddSingleton<IIncomingGrainCallFilter>(this);

    /// <summary>
    /// The next <paramref name="times"/> calls of <paramref name="method"/> (a method of <see cref="ICellGrain"/>) to
    /// <paramref name="cell"/> fail: before reaching it, or <paramref name="afterRunning"/> it.
    /// </summary>
    public void FailNext(ICellGrain cell, string method, int times = 1, bool afterRunning = false)
    {
        lock (_gate) _armed[(cell.GetGrainId(), method)] = (times, afterRunning);
    }

    /// <summary>The next call of <paramref name="method"/> to <paramref name="cell"/> waits, holding the grain, until released.</summary>
    public HeldCall HoldNext(ICellGrain cell, string method)
    {
        var held = new HeldCall();
        lock (_gate) _held[(cell.GetGrainId(), method)] = held;
        return held;
    }

    /// <summary>Holds or fails the call if armed for it, else passes it on.</summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        bool fail, afterRunning;
        HeldCall? held;
        var key = (context.TargetId, context.MethodName);
        lock (_gate)
        {
            if (_held.Remove(key, out held)) held.Arrive();
            fail = _armed.TryGetValue(key, out var armed) && armed.Times > 0;
            afterRunning = armed.AfterRunning;
            if (fail)
            {
                _armed[key] = armed with { Times = armed.Times - 1 };
                Failed++;
            }
        }

        if (held is not null) await held.Released;
        if (fail && !afterRunning) throw new InvalidOperationException($"injected failure: {context.MethodName} on {context.TargetId}");
        await context.Invoke();
        if (fail) throw new InvalidOperationException($"injected failure after running: {context.MethodName} on {context.TargetId}");
    }

    /// <summary>A call held at its grain: it has <see cref="Arrived"/> once it waits there, and runs once released.</summary>
    public sealed class HeldCall
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the call waits at its grain.</summary>
        public Task Arrived => _arrived.Task;

        internal Task Released => _released.Task;

        /// <summary>Lets the call run.</summary>
        public void Release() => _released.TrySetResult();

        internal void Arrive() => _arrived.TrySetResult();
    }
}
