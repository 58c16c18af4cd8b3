using Alerts.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>
/// Fails chosen calls to chosen cell grains before they reach the grain, as a call to a silo that died under it fails:
/// a silo filter, so the grains and their callers are the real ones.
/// </summary>
public sealed class CellCallFaults : IIncomingGrainCallFilter
{
    private readonly object _gate = new();
    private readonly Dictionary<(GrainId Grain, string Method), int> _armed = new();

    /// <summary>The calls that were failed so far.</summary>
    public int Failed { get; private set; }

    /// <summary>Adds this filter to a silo's services (it fails nothing until armed).</summary>
    public void AddTo(IServiceCollection services) => services.AddSingleton<IIncomingGrainCallFilter>(this);

    /// <summary>The next <paramref name="times"/> calls of <paramref name="method"/> (a method of <see cref="ICellGrain"/>) to <paramref name="cell"/> fail.</summary>
    public void FailNext(ICellGrain cell, string method, int times = 1)
    {
        lock (_gate) _armed[(cell.GetGrainId(), method)] = times;
    }

    /// <summary>Fails the call if armed for it, else passes it on.</summary>
    public Task Invoke(IIncomingGrainCallContext context)
    {
        lock (_gate)
        {
            var key = (context.TargetId, context.MethodName);
            if (_armed.TryGetValue(key, out var left) && left > 0)
            {
                _armed[key] = left - 1;
                Failed++;
                throw new InvalidOperationException($"injected failure: {context.MethodName} on {context.TargetId}");
            }
        }

        return context.Invoke();
    }
}
