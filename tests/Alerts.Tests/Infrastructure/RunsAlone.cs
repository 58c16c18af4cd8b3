namespace Alerts.Tests;

/// <summary>
/// Tests that measure a bound under a burst (thousands of activations through a handful of connections), or kill a
/// silo process and wait for its recovery, run with no other test beside them: on two cores, the suite's silo
/// processes would otherwise decide whether a call makes its timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    /// <summary>The collection's name.</summary>
    public const string Name = "runs alone";
}
