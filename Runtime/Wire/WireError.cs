namespace Alerts.Runtime;

/// <summary>The error kinds a result message can carry (documented in the README's wire section).</summary>
public static class WireError
{
    /// <summary>The grain threw; "type" and "message" are the exception's.</summary>
    public const string Grain = "grain";

    /// <summary>The grain did not answer within the call timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>The caller lacks a role the interface or method requires.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>The message is not valid JSON or lacks a required field.</summary>
    public const string Protocol = "protocol";

    /// <summary>The interface is not served by this silo.</summary>
    public const string UnknownInterface = "unknownInterface";

    /// <summary>The interface has no such method.</summary>
    public const string UnknownMethod = "unknownMethod";

    /// <summary>An argument or key does not convert to the parameter's type.</summary>
    public const string BadArguments = "badArguments";

    /// <summary>The message exceeds the size limit.</summary>
    public const string TooLarge = "tooLarge";

    /// <summary>The observer called is gone.</summary>
    public const string ObserverExpired = "observerExpired";

    /// <summary>The call was cancelled by the caller.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>A call refused before it reached the grain (unknown interface or method, bad arguments, bad frame, too large).</summary>
public sealed class GrainCallRejectedException(string kind, string message) : Exception(message)
{
    /// <summary>One of the <see cref="WireError"/> kinds.</summary>
    public string Kind { get; } = kind;
}
