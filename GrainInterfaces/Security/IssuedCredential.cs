namespace Alerts.GrainInterfaces;

/// <summary>A credential just created: the only time its secret is ever shown.</summary>
[GenerateSerializer, Immutable, Alias("alerts.IssuedCredential")]
public sealed record IssuedCredential([property: Id(0)] string Name, [property: Id(1)] string Secret, [property: Id(2)] List<string> Roles)
{
    /// <summary>"name:secret", the form clients are given their credential in.</summary>
    public string Credential => $"{Name}:{Secret}";
}
