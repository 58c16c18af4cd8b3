namespace Alerts.GrainInterfaces;

/// <summary>
/// A sign-in refused because the silo is already checking as many secrets as it allows and that many more wait: not a
/// judgement on the credential. Retry after a moment (a client holding a token that is still valid keeps using it).
/// </summary>
[GenerateSerializer, Alias("alerts.SignInBusyException")]
public sealed class SignInBusyException : Exception
{
    /// <summary>A refusal that says how many sign-ins were being checked and waiting.</summary>
    public SignInBusyException(string message) : base(message)
    {
    }
}
