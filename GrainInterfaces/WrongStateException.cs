namespace Alerts.GrainInterfaces;

/// <summary>
/// A call refused because its subject is in a state that does not allow it (a case already filed, or cancelled; a
/// credential that exists or is configured in settings). An <see cref="InvalidOperationException"/>, so callers that
/// caught that still do; its own type crosses the wire, so a console tells it from any other failure of that kind.
/// </summary>
[GenerateSerializer, Alias("alerts.WrongStateException")]
public sealed class WrongStateException : InvalidOperationException
{
    /// <summary>A refusal that names the subject, its state and what it allows.</summary>
    public WrongStateException(string message) : base(message)
    {
    }
}
