namespace Alerts.Runtime;

/// <summary>Marker for grain interfaces; use one of the keyed sub-interfaces.</summary>
public interface IGrain;

/// <summary>A grain identified by a string key.</summary>
public interface IGrainWithStringKey : IGrain;

/// <summary>A grain identified by a 64-bit integer key.</summary>
public interface IGrainWithIntegerKey : IGrain;

/// <summary>A grain identified by a GUID key.</summary>
public interface IGrainWithGuidKey : IGrain;

/// <summary>Marker for observer interfaces: objects outside the grains (or in a client) that grains call back.</summary>
public interface IGrainObserver;
