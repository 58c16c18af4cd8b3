namespace Alerts.GrainInterfaces;

/// <summary>The child's sex as reported.</summary>
[GenerateSerializer, Alias("alerts.ChildSex")]
public enum ChildSex
{
    /// <summary>Not reported.</summary>
    Unknown,

    /// <summary>Female.</summary>
    Female,

    /// <summary>Male.</summary>
    Male,
}
