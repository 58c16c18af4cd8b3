namespace Alerts.Runtime;

/// <summary>Hands out grain references and observer references, as Orleans' IGrainFactory does.</summary>
public interface IGrainFactory
{
    /// <summary>A reference to the grain with a string key; the grain activates on its first call.</summary>
    TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey;

    /// <summary>A reference to the grain with an integer key.</summary>
    TGrain GetGrain<TGrain>(long key) where TGrain : IGrainWithIntegerKey;

    /// <summary>A reference to the grain with a GUID key.</summary>
    TGrain GetGrain<TGrain>(Guid key) where TGrain : IGrainWithGuidKey;

    /// <summary>A reference through which grains can call <paramref name="observer"/>.</summary>
    TObserver CreateObjectReference<TObserver>(IGrainObserver observer) where TObserver : IGrainObserver;

    /// <summary>Stops <paramref name="reference"/> from reaching its object; later calls fail as expired.</summary>
    void DeleteObjectReference<TObserver>(TObserver reference) where TObserver : IGrainObserver;
}
