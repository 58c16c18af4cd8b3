namespace Alerts.Grains;

/// <summary>Marks the assembly holding the product's grain classes, for <c>AddGrains(typeof(GrainsAssembly).Assembly)</c>.</summary>
public static class GrainsAssembly;
