namespace Alerts.Runtime.Tests;

/// <summary>State of <see cref="StatefulGrain"/>.</summary>
public sealed record StatefulState
{
    public string Value { get; set; } = "";

    public int Activations { get; set; }

    public int Deactivations { get; set; }
}

/// <summary>Persists a value and counts its own activations and deactivations.</summary>
public interface IStatefulGrain : IGrainWithIntegerKey
{
    Task SetValue(string value);

    Task SetValueWithoutWriting(string value);

    Task<StatefulState> Get();

    Task Deactivate();

    Task Clear();
}

/// <summary>See <see cref="IStatefulGrain"/>.</summary>
public sealed class StatefulGrain([PersistentState("stateful")] IPersistentState<StatefulState> state) : Grain, IStatefulGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        state.State.Activations++;
        await state.WriteStateAsync();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        state.State.Deactivations++;
        await state.WriteStateAsync();
    }

    public async Task SetValue(string value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
    }

    public Task SetValueWithoutWriting(string value)
    {
        state.State.Value = value;
        return Task.CompletedTask;
    }

    public Task<StatefulState> Get() => Task.FromResult(state.State with { });

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task Clear() => state.ClearStateAsync();
}
