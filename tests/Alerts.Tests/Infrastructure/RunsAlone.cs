namespace Alerts.Tests;

/// <summary>
/// Tests that measure a bound under a burst (thousands of activations through a handful of connections) run with no
/// other test beside them: on two cores, the suite's silo processes would otherwise decide whether a call makes its
/// 30-second response timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    /// <summary>The collection's name.</summary>
    public const string Name = "runs alone";
}
