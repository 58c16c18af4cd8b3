namespace Alerts.GrainInterfaces;

/// <summary>Exchanges a client credential for a short-lived signed access token (a stateless worker: call key 0).</summary>
[Alias("alerts.sign-in")]
[AllowAnonymous]
public interface ISignInGrain : IGrainWithIntegerKey
{
    /// <summary>A token for the credential's roles; a wrong name or secret is refused with the same message for both.</summary>
    [Alias("SignIn")]
    Task<AccessToken> SignIn(string name, string secret);
}
